"""The write canary sits inside the migration's rollback block, after the target's health check, and
uses Airflow's CLI with the services' environment file. The canary itself runs for real in
tests/integration/test_crdb_migrate_canary_podman.py and, inside a whole migration that it makes roll
back, in tests/integration/test_playbooks_e2e.py."""

from __future__ import annotations

from pathlib import Path

import yaml

TASKS = Path(__file__).resolve().parents[2] / "roles" / "migrate" / "tasks"


def _names(tasks):
    return [t.get("name", "") for t in tasks]


def test_the_canary_runs_inside_the_block_that_rolls_back_and_after_the_health_check():
    block = next(t for t in yaml.safe_load((TASKS / "migrate.yml").read_text()) if "block" in t)
    names = _names(block["block"])
    canary = next(
        i for i, t in enumerate(block["block"]) if t.get("ansible.builtin.import_tasks") == "canary.yml"
    )
    health = next(n for n in names if n.startswith("Wait until Airflow reports the target healthy"))
    assert names.index(health) < canary
    assert canary < names.index("Record the finished migration on this host")
    assert block["rescue"][0]["ansible.builtin.import_tasks"] == "rollback.yml"


def test_the_canary_sets_reads_back_and_deletes_a_variable_with_the_units_environment():
    (canary,) = yaml.safe_load((TASKS / "canary.yml").read_text())
    run = " ".join(canary["vars"]["_migrate_canary_as_airflow"])
    assert "EnvironmentFile=" in run and "--uid=" in run and "RuntimeMaxSec=" in run
    assert "'variables'" in canary["vars"]["_migrate_canary_run"]
    variable_tasks = [t for t in canary["block"] if "ansible.builtin.command" in t]
    verbs = [t["ansible.builtin.command"]["argv"].split("+ ['")[1].split("'")[0] for t in variable_tasks]
    assert verbs == ["set", "get", "delete"]


def test_the_canary_runs_a_dag_from_its_own_folder_and_fails_on_the_checks_verdict():
    (canary,) = yaml.safe_load((TASKS / "canary.yml").read_text())
    (dag_block,) = [t for t in canary["block"] if "block" in t]
    tasks = {t["name"]: t for t in dag_block["block"]}
    run = next(t for n, t in tasks.items() if n.startswith("Run the canary DAG"))
    assert "AIRFLOW__CORE__DAGS_FOLDER=' ~ _migrate_canary_dags" in run["ansible.builtin.command"]["argv"]
    assert "'dags', 'test'" in run["ansible.builtin.command"]["argv"]
    fail = next(t for n, t in tasks.items() if n.startswith("Fail when"))
    assert fail["when"] == "_migrate_canary_check.rc != 0"
    assert dag_block["always"][0]["ansible.builtin.file"]["state"] == "absent"
    assert (TASKS.parent / "files" / "airflow_ops_migration_canary.py").is_file()
