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


def _airflow_package(version: str) -> Path:
    venv = ensure_airflow(version).parent.parent
    return next((venv / "lib").glob("python3*/site-packages/airflow"))


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("version", ["2.11.2", "3.3.2"])
def test_every_runtime_dialect_branch_of_installed_airflow_is_classified(version):
    places = audit.audit_tree(_airflow_package(version))
    classification = audit.load_classification(SCRIPT.parent / "airflow-dialect-audit" / f"{version}.yml")
    assert audit.check(places, classification) == {"unclassified": [], "stale": [], "invalid": []}
    # The upsert helper the issue is about must be among them (the finder is not blind).
    if version.startswith("3."):
        assert any(p.function == "build_upsert_stmt" for p in places)
