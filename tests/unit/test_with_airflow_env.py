"""The airflow role's runner for its Airflow CLI tasks (roles/airflow/files/with_airflow_env.py).

Proves: the environment file the role writes (airflow_env_file_value quoting) reads back to the exact
values, `$`, quotes and backslashes included; the command gets them in its environment, not its argv;
and a password prompt (getpass) reads its answer from stdin. Does not prove the detaching from a real
controlling terminal (no terminal here), nor how Ansible invokes it (the airflow_pg3 Molecule scenario
scans /proc/*/cmdline and the -vvv output for that).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from ansible_collections.airflow_ops.metastore.plugins.filter.airflow import env_file_value

RUNNER = Path(__file__).resolve().parents[2] / "roles" / "airflow" / "files" / "with_airflow_env.py"
_spec = importlib.util.spec_from_file_location("with_airflow_env", RUNNER)
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

AWKWARD = ["p@ss:w/rd%airflow", "dollar $HOME and `date`", 'quote " and back\\slash\\', "", "a=b=c"]


@pytest.mark.parametrize("value", AWKWARD)
def test_a_value_written_by_the_role_reads_back_literally(value):
    text = f"# comment\n\nAIRFLOW_HOME={env_file_value('/opt/airflow')}\nSECRET={env_file_value(value)}\n"
    assert runner.parse_env_file(text) == {"AIRFLOW_HOME": "/opt/airflow", "SECRET": value}


def test_the_command_gets_the_file_in_its_environment_and_answers_prompts_from_stdin(tmp_path):
    env_file = tmp_path / "airflow.env"
    env_file.write_text(f"AIRFLOW__CORE__FERNET_KEY={env_file_value('k$y')}\n")
    probe = (
        "import getpass, os, sys; "
        "print(os.environ['AIRFLOW__CORE__FERNET_KEY']); print(getpass.getpass('Password:'))"
    )
    result = subprocess.run(
        [sys.executable, str(RUNNER), str(env_file), sys.executable, "-c", probe],
        input="from-stdin\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["k$y", "from-stdin"]


def test_an_unreadable_environment_file_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, str(RUNNER), str(tmp_path / "missing.env"), "true"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot read Airflow's environment file" in result.stderr
