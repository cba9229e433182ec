"""The airflow role installs the CockroachDB layer into a real virtualenv, where a plain python process
picks it up through the .pth line; a second run changes nothing; another backend removes it.

Real ansible-playbook runs of the role's preflight.yml, then its crdb_layer.yml, against localhost, on a
throwaway venv made from this interpreter (airflow_python): the preflight finds the venv's site-packages
from the Python it probes, as in a full run, so the test gives the role only its public inputs and
``_airflow_services``. It does not run the role's install or configure steps, nor start Airflow.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.playbook import run_playbook

PY = f"{sys.version_info.major}.{sys.version_info.minor}"
SHOW = (
    "import sys; import airflow_ops_crdb as m; "
    "print(any(type(f).__name__ == '_PatchOnImport' for f in sys.meta_path), m.ASSUME_FILE.exists())"
)


def run_layer_tasks(tmp_path, venv, **extra):
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [
                {
                    "ansible.builtin.include_role": {
                        "name": "airflow_ops.metastore.airflow",
                        "tasks_from": step,
                    }
                }
                for step in ("preflight.yml", "crdb_layer.yml")
            ],
        }
    ]
    extra_vars = {
        "airflow_venv": str(venv),
        "airflow_python": sys.executable,  # the venv's base: the preflight probes its version
        "airflow_db_backend": "cockroachdb",
        # Inputs the preflight requires; nothing here connects to a database or creates a user.
        "airflow_db_password": "layer-test",
        "airflow_admin_create": False,
        "_airflow_services": [],  # no Airflow units on this machine: the restart handler has nothing to do
        **extra,
    }
    result = run_playbook(tmp_path, play, extra_vars)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def venv_python_says(venv) -> str:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", SHOW], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.slow
@pytest.mark.integration
def test_the_role_installs_activates_and_removes_the_layer(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = venv / "lib" / f"python{PY}" / "site-packages"

    assert "changed=" in run_layer_tasks(tmp_path, venv)
    assert (site / "airflow_ops_crdb.pth").exists()
    assert venv_python_says(venv) == "True False"
    assert "changed=0" in run_layer_tasks(tmp_path, venv)

    # An unaudited release the operator opted into: the newest layer of its major is named.
    run_layer_tasks(tmp_path, venv, airflow_version="3.4.0", airflow_crdb_layer_allow_unaudited=True)
    assert (site / "airflow_ops_crdb" / "assume_layer").read_text() == "3.3\n"
    assert venv_python_says(venv) == "True True"

    run_layer_tasks(tmp_path, venv, airflow_db_backend="postgresql")
    assert not (site / "airflow_ops_crdb.pth").exists()
    assert not (site / "airflow_ops_crdb").exists()
