"""The audit against the real installed Airflow releases: every dialect-name place must be classified.

A new Airflow release (or a changed branch) shows up here as an unclassified id instead of breaking
CockroachDB users silently; a classified place that is gone shows up as stale.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.support.airflow_env import ensure_airflow

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "airflow_dialect_audit.py"
_spec = importlib.util.spec_from_file_location("airflow_dialect_audit", SCRIPT)
audit = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = audit  # dataclasses look their module up
_spec.loader.exec_module(audit)


def _airflow_package(version: str, fab: bool) -> Path:
    venv = ensure_airflow(version, fab).parent.parent
    return next((venv / "lib").glob("python3*/site-packages/airflow"))


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(("version", "fab"), [("2.11.2", False), ("3.3.2", False), ("3.3.2", True)])
def test_every_runtime_dialect_branch_of_installed_airflow_is_classified(version, fab):
    places = audit.audit_tree(_airflow_package(version, fab))
    name = f"{version}-fab" if fab else version
    classification = audit.load_classification(SCRIPT.parent / "airflow-dialect-audit" / f"{name}.yml")
    assert audit.check(places, classification) == {"unclassified": [], "stale": [], "invalid": []}
    # The upsert helper the issue is about must be among them (the finder is not blind).
    if version.startswith("3."):
        assert any(p.function == "build_upsert_stmt" for p in places)
    # Airflow 2's FAB auth manager ships with it; on 3 it is the -fab venv's provider.
    assert any(p.file.startswith("providers/fab/") for p in places) == (fab or version.startswith("2."))
