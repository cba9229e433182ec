"""Bad input stops the airflow role before it changes anything: a real ansible-playbook run of the role
against localhost in check mode, one per kind of mistake, must fail with a message saying what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.playbook import run_playbook

REPO = Path(__file__).resolve().parents[2]
CONSTRAINTS_3 = REPO / "tests" / "support" / "airflow-constraints" / "3.3.2.txt"
GOOD = {
    "airflow_db_password": "pw",
    "airflow_admin_password": "pw",
    "airflow_constraints_file": str(CONSTRAINTS_3),
}


def run_role(tmp_path, **extra_vars):
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [{"ansible.builtin.include_role": {"name": "airflow_ops.metastore.airflow"}}],
        }
    ]
    return run_playbook(tmp_path, play, {**GOOD, **extra_vars}, check=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"airflow_db_backend": "oracle"}, "airflow_db_backend"),
        ({"airflow_version": "2.10.5"}, "airflow_version 2.10.5 is not supported by this role"),
        ({"airflow_constraints_file": "/nonexistent/constraints.txt"}, "does not exist on the controller"),
        (
            {"airflow_constraints_file": str(REPO / "tests/support/airflow-constraints/2.11.2.txt")},
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
