"""Bad input stops the airflow role before it changes anything: a real ansible-playbook run of the role
against localhost in check mode, one per kind of mistake, must fail with a message saying what to fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONSTRAINTS_3 = REPO / "molecule" / "airflow_pg3" / "files" / "constraints-3.3.2-py3.11.txt"
GOOD = {
    "airflow_db_password": "pw",
    "airflow_admin_password": "pw",
    "airflow_constraints_file": str(CONSTRAINTS_3),
}


def run_role(tmp_path, **extra_vars):
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.include_role:\n        name: airflow_ops.metastore.airflow\n"
    )
    variables = tmp_path / "vars.json"
    variables.write_text(json.dumps({**GOOD, **extra_vars}))
    env = {
        **os.environ,
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build" / "collections"),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
    }
    bindir = Path(sys.executable).parent
    return subprocess.run(
        [
            str(bindir / "ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            "--check",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "-e",
            f"@{variables}",
            str(playbook),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"airflow_db_backend": "oracle"}, "airflow_db_backend"),
        ({"airflow_version": "2.10.5"}, "airflow_version 2.10.5 is not supported by this role"),
        ({"airflow_constraints_file": "/nonexistent/constraints.txt"}, "does not exist on the controller"),
        (
            {
                "airflow_constraints_file": str(
                    REPO / "molecule/airflow_pg2/files/constraints-2.11.2-py3.11.txt"
                )
            },
            "pins apache-airflow==2.11.2, not airflow_version 3.3.2",
        ),
        (
            {
                "airflow_db_backend": "cockroachdb",
                "airflow_db_pool_recycle": 900,
                "airflow_proxy_timeout_seconds": 600,
            },
            "airflow_db_pool_recycle 900 s is not below the proxy's timeout of 600 s",
        ),
        ({"airflow_haproxy_host": "localhost"}, "has no fact haproxy_client_timeout_seconds"),
    ],
    ids=[
        "unknown-backend",
        "unsupported-version",
        "missing-constraints",
        "wrong-constraints",
        "pool-recycle",
        "proxy-host-without-fact",
    ],
)
def test_bad_input_fails_before_any_change_with_a_fix_it_message(tmp_path, extra, message):
    result = run_role(tmp_path, **extra)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert message in output, output
    assert "changed=0" in output, output
