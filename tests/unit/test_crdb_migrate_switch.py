"""Which airflow role steps the migration runs for the target, and when (issues 11 and 12).

Proves, by reading the migrate role's task files: before anything is stopped (main.yml, in the block that
runs before migrate.yml's stop) the airflow role's preflight and install run for the target, so a venv
deployed for PostgreSQL gets sqlalchemy-cockroachdb, and an unaudited Airflow release is refused, while
Airflow still runs on the source; then, still before the stop, the CockroachDB layer and the configuration
rendered to staged files (_migrate_airflow_staged: the airflow role's _airflow_stage_suffix). The switch
(inside the downtime) runs no airflow role step: it renames the staged files into place and notifies the
role's restart handler; after the health check the layer and the configuration run again on the live files.
All use the one task file that maps migrate_target_* onto airflow_db_*. That the step really installs the
dialect on a host deployed for PostgreSQL without stopping Airflow, and really refuses an unaudited release
before installing anything, is run for real in the Molecule scenario airflow_pg3 (verify.yml); the swap and
the run after it reporting no change, in make e2e. Not proven here: a migration to a CockroachDB cluster.
"""

from __future__ import annotations

from pathlib import Path

import yaml

TASKS = Path(__file__).resolve().parents[2] / "roles" / "migrate" / "tasks"


def _load(name):
    return yaml.safe_load((TASKS / name).read_text())


def test_the_switch_only_renames_the_staged_files_and_notifies_the_restart():
    (task,) = _load("switch.yml")
    assert "ansible.builtin.import_tasks" not in task and "ansible.builtin.include_role" not in task
    assert task["notify"] == "Restart Airflow services"
    assert "_migrate_stage_suffix" in task["ansible.builtin.command"]["argv"]


def test_after_the_health_check_the_layer_and_the_configuration_run_on_the_live_files():
    block = next(t for t in _load("migrate.yml") if "block" in t)["block"]
    names = [t.get("name", "") for t in block]
    health = names.index("Wait until Airflow reports the target healthy (polls every 0.2 s on the host)")
    after = [t for t in block[health:] if t.get("ansible.builtin.import_tasks") == "airflow_for_target.yml"]
    (converge,) = after
    assert converge["vars"]["_migrate_airflow_steps"] == ["crdb_layer", "configure"]
    assert "_migrate_airflow_staged" not in converge["vars"]


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
    first, staged = [t["vars"] for i, t in enumerate(before_stop) if imported[i] == "airflow_for_target.yml"]
    assert first["_migrate_airflow_steps"] == ["preflight", "install"]
    assert staged["_migrate_airflow_steps"] == ["crdb_layer", "configure"]
    assert staged["_migrate_airflow_staged"] is True
