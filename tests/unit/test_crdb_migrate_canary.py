"""The write canary sits inside the migration's rollback block, after the target's health check, and
uses Airflow's CLI with the services' environment file. (The canary itself runs in the e2e test,
tests/integration/test_playbooks_e2e.py, on podman hosts with systemd; this machine has none.)"""

from __future__ import annotations

from pathlib import Path

import yaml

TASKS = Path(__file__).resolve().parents[2] / "playbooks" / "roles" / "migrate" / "tasks"


def _names(tasks):
    return [t.get("name", "") for t in tasks]


def test_the_canary_runs_inside_the_block_that_rolls_back_and_after_the_health_check():
    block = next(t for t in yaml.safe_load((TASKS / "migrate.yml").read_text()) if "block" in t)
    names = _names(block["block"])
    canary = next(
        i for i, t in enumerate(block["block"]) if t.get("ansible.builtin.import_tasks") == "canary.yml"
    )
    assert names.index("Wait until Airflow reports the target healthy") < canary
    assert canary < names.index("Record the finished migration on this host")
    assert block["rescue"][0]["ansible.builtin.import_tasks"] == "rollback.yml"


def test_the_canary_sets_reads_back_and_deletes_a_variable_with_the_units_environment():
    (canary,) = yaml.safe_load((TASKS / "canary.yml").read_text())
    run = canary["vars"]["migrate_canary_run"]
    assert "EnvironmentFile=" in run and "'--uid='" in run and "'variables'" in run
    verbs = [t["ansible.builtin.command"]["argv"].split("+ ['")[1].split("'")[0] for t in canary["block"]]
    assert verbs == ["set", "get", "delete"]
