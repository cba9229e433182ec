"""The airflow role's preflight refuses, on CockroachDB, an Airflow minor the layer was not audited for,
unless the operator opts in; and the role's list of covered minors is the layer's own.

Real ansible-playbook runs of the role's preflight against localhost in check mode (nothing changes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from tests.support.playbook import run_playbook

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "airflow"


def _constraints(tmp_path: Path, version: str) -> str:
    path = tmp_path / f"constraints-{version}.txt"
    path.write_text(f"apache-airflow=={version}\n")
    return str(path)


def run_preflight(tmp_path, version, **extra_vars):
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [
                {
                    "ansible.builtin.include_role": {
                        "name": "airflow_ops.metastore.airflow",
                        "tasks_from": "preflight.yml",
                    }
                }
            ],
        }
    ]
    extra = {
        "airflow_version": version,
        "airflow_python": sys.executable,
        "airflow_db_backend": "cockroachdb",
        "airflow_db_password": "pw",
        "airflow_admin_password": "pw",
        "airflow_constraints_file": _constraints(tmp_path, version),
        **extra_vars,
    }
    result = run_playbook(tmp_path, play, extra, check=True)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
def test_an_unaudited_airflow_minor_on_cockroachdb_is_refused_with_what_to_do(tmp_path):
    code, output = run_preflight(tmp_path, "3.4.0")
    assert code != 0, output
    assert "the CockroachDB layer (airflow_ops_crdb) has been audited for Airflow 2.11 and 3.3 only" in output
    assert "airflow_crdb_layer_allow_unaudited: true" in output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("version", "extra"),
    [
        ("3.3.2", {}),
        ("2.11.2", {}),
        ("3.4.0", {"airflow_crdb_layer_allow_unaudited": True}),
        ("3.4.0", {"airflow_db_backend": "postgresql"}),
    ],
    ids=["audited-3.3", "audited-2.11", "opted-in", "not-cockroachdb"],
)
def test_audited_opted_in_or_other_backends_pass(tmp_path, version, extra):
    code, output = run_preflight(tmp_path, version, **extra)
    assert code == 0, output


def test_the_roles_covered_minors_are_the_layers():
    sys.path.insert(0, str(ROLE / "files"))
    try:
        import airflow_ops_crdb
    finally:
        sys.path.remove(str(ROLE / "files"))
    role_vars = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    assert role_vars["_airflow_crdb_layer_minors"] == sorted(airflow_ops_crdb.LAYERS)
    files = sorted(p.name for p in (ROLE / "files" / "airflow_ops_crdb").glob("*.py"))
    assert sorted(role_vars["_airflow_crdb_layer_files"]) == files
