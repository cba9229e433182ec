"""The airflow role refuses an Airflow release change on a CockroachDB metadata database (issue 11, item 5).

Real ansible-playbook runs of the role's preflight on localhost in check mode, with an install record
(``.airflow-ops-install.json``, as install.yml writes it) in a venv folder under tmp_path. Proves: a host
recorded with 3.3.1 asked for 3.3.2 on cockroachdb is refused with the reason and the opt-in; the same
release, another backend, the opt-in, or a host with no record yet pass. Does not prove anything about
Alembic heads (the refusal is deliberately release-based).
"""

from __future__ import annotations

import json

import pytest

from tests.unit.test_crdb_role_preflight import run_preflight as role_preflight


def run_preflight(tmp_path, installed, **extra_vars):
    """The role's preflight (as test_crdb_role_preflight runs it) with an install record in a venv."""
    venv = tmp_path / "venv"
    venv.mkdir()
    if installed:
        record = {
            "requirements": [f"apache-airflow[postgres]=={installed}", "asyncpg"],
            "constraints_sha256": "",
        }
        (venv / ".airflow-ops-install.json").write_text(json.dumps(record))
    return role_preflight(tmp_path, "3.3.2", airflow_venv=str(venv), **extra_vars)


@pytest.mark.slow
def test_a_release_change_on_cockroachdb_is_refused_with_why_and_the_opt_in(tmp_path):
    code, output = run_preflight(tmp_path, "3.3.1")
    assert code != 0, output
    text = " ".join(output.split())
    assert "This host runs Airflow 3.3.1 on a CockroachDB metadata database" in text
    assert "airflow_crdb_release_change_checked: true" in text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("installed", "extra"),
    [
        ("3.3.2", {}),
        (None, {}),
        ("3.3.1", {"airflow_db_backend": "postgresql"}),
        ("3.3.1", {"airflow_crdb_release_change_checked": True}),
    ],
    ids=["same-release", "first-install", "not-cockroachdb", "checked-by-operator"],
)
def test_the_same_release_a_first_install_another_backend_or_the_opt_in_pass(tmp_path, installed, extra):
    code, output = run_preflight(tmp_path, installed, **extra)
    assert code == 0, output
