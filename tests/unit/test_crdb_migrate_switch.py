"""The migration's switch installs the CockroachDB layer: without it Airflow 3.3 on the target cannot
write a Variable or a task's rendered fields (tests/integration/test_crdb_layer_airflow.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

SWITCH = Path(__file__).resolve().parents[2] / "roles" / "migrate" / "tasks" / "switch.yml"


def test_the_switch_runs_the_layer_step_after_the_preflight_and_before_the_configuration():
    (task,) = yaml.safe_load(SWITCH.read_text())
    assert task["ansible.builtin.include_role"]["name"] == "airflow_ops.metastore.airflow"
    steps = task["loop"]
    assert steps.index("preflight") < steps.index("crdb_layer") < steps.index("configure")
