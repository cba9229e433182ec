"""Which airflow role steps the migration runs for the target, and when (issue 11).

Proves, by reading the migrate role's task files: before anything is stopped (main.yml, in the block that
runs before migrate.yml's stop) the airflow role's preflight and install run for the target, so a venv
deployed for PostgreSQL gets sqlalchemy-cockroachdb, and an unaudited Airflow release is refused, while
Airflow still runs on the source; the switch (inside the downtime) runs only the CockroachDB layer and
then the configuration (the preflight ran before the stop, with the same connection: not again inside the
window); both use the one task file that maps migrate_target_* onto
airflow_db_*. That the step really installs the dialect on a host deployed for PostgreSQL without stopping
Airflow, and really refuses an unaudited release before installing anything, is run for real in the
Molecule scenario airflow_pg3 (verify.yml). Not proven here: a whole migration to a CockroachDB cluster.
"""

from __future__ import annotations

from pathlib import Path

import yaml

TASKS = Path(__file__).resolve().parents[2] / "roles" / "migrate" / "tasks"


def _load(name):
    return yaml.safe_load((TASKS / name).read_text())


def test_the_switch_runs_the_layer_then_the_configuration_and_no_second_preflight():
    (task,) = _load("switch.yml")
    assert task["ansible.builtin.import_tasks"] == "airflow_for_target.yml"
    assert task["vars"]["_migrate_airflow_steps"] == ["crdb_layer", "configure"]


def test_the_target_step_runs_the_airflow_role_with_the_target_connection():
    (task,) = _load("airflow_for_target.yml")
    assert task["ansible.builtin.include_role"]["name"] == "airflow_ops.metastore.airflow"
    assert task["loop"] == "{{ _migrate_airflow_steps }}"
    mapped = task["vars"]
    assert mapped["airflow_db_backend"] == "{{ migrate_target_backend }}"
    assert mapped["airflow_db_password"] == "{{ migrate_target_password }}"
    assert mapped["airflow_db_migrate"] is False and mapped["airflow_admin_create"] is False


def test_before_the_stop_the_airflow_role_checks_the_target_and_installs_its_driver():
    tasks = _load("main.yml")
    names = [t.get("ansible.builtin.import_tasks") for t in tasks]
    before_stop = tasks[names.index(None)]["block"]  # the block that prepares, before migrate.yml
    assert names.index(None) < names.index("migrate.yml")
    imported = [t["ansible.builtin.import_tasks"] for t in before_stop]
    assert imported.index("check_servers.yml") < imported.index("airflow_for_target.yml")
    steps = before_stop[imported.index("airflow_for_target.yml")]["vars"]["_migrate_airflow_steps"]
    assert steps == ["preflight", "install"]
