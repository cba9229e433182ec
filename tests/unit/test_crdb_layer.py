"""The airflow_ops_crdb layer's version check and import hook, and its agreement with the audit files.

The hook is exercised on a real (tiny) ``airflow`` package written to a temporary site directory, with
real dist-info metadata, in a fresh interpreter: no Airflow needed. The layer against real Airflow is
tests/integration/test_crdb_layer_airflow.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
LAYER_DIR = REPO / "roles" / "airflow" / "files"
AUDIT_DIR = REPO / "scripts" / "airflow-dialect-audit"
sys.path.insert(0, str(LAYER_DIR))
import airflow_ops_crdb  # noqa: E402
from airflow_ops_crdb import airflow_3_3  # noqa: E402

sys.path.remove(str(LAYER_DIR))


@pytest.mark.parametrize(
    ("version", "assume", "layer"),
    [
        ("3.3.2", None, "airflow_3_3"),
        ("3.3.9", None, "airflow_3_3"),
        ("2.11.2", None, "airflow_2_11"),
        ("3.4.0", None, None),
        ("2.10.5", None, None),
        ("3.4.0", "3.3", "airflow_3_3"),
    ],
)
def test_layer_for_covers_audited_minors_only(version, assume, layer):
    assert airflow_ops_crdb.layer_for(version, assume) == layer


def test_every_audited_version_has_a_layer_and_every_layer_an_audit():
    audited = {".".join(p.stem.split(".")[:2]) for p in AUDIT_DIR.glob("*.yml")}
    assert audited == set(airflow_ops_crdb.LAYERS)


def _module_of(file: str) -> str:
    return "airflow." + file.removesuffix(".py").replace("/", ".")


def test_the_3_3_layer_patches_exactly_the_modules_the_audit_says_it_does():
    places = yaml.safe_load((AUDIT_DIR / "3.3.2.yml").read_text())["places"]
    acting = {
        _module_of(pid.split("::")[0])
        for pid, entry in places.items()
        if entry["layer"].startswith(("routes-postgresql", "registers"))
    }
    assert acting == set(airflow_3_3.PATCHES)


def test_modules_that_see_postgresql_everywhere_have_no_class_b_or_c_place():
    places = yaml.safe_load((AUDIT_DIR / "3.3.2.yml").read_text())["places"]
    whole_modules = {m for m, p in airflow_3_3.PATCHES.items() if p is airflow_3_3._module_sees_postgresql}
    for pid, entry in places.items():
        if _module_of(pid.split("::")[0]) in whole_modules:
            assert entry["class"] == "a", pid


def _fake_airflow_site(tmp_path: Path, version: str) -> Path:
    """A site directory with a tiny real ``airflow`` package, its metadata, and the layer's .pth."""
    site = tmp_path / "site"
    (site / "airflow" / "utils").mkdir(parents=True)
    (site / "airflow" / "__init__.py").write_text("")
    (site / "airflow" / "utils" / "__init__.py").write_text("")
    (site / "airflow" / "utils" / "sqlalchemy.py").write_text(
        textwrap.dedent(
            """
            from sqlalchemy.sql.functions import FunctionElement
            from sqlalchemy.types import String
            from sqlalchemy.ext.compiler import compiles

            def build_upsert_stmt(dialect, model, conflict_cols, values, update_fields):
                if dialect == "postgresql":
                    return "pg"
                raise ValueError(dialect)

            class random_db_uuid(FunctionElement):
                type = String()
                inherit_cache = True

            @compiles(random_db_uuid, "postgresql")
            def _random_db_uuid_pg(element, compiler, **kw):
                return "gen_random_uuid()"
            """
        )
    )
    dist = site / f"apache_airflow_core-{version}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: apache-airflow-core\nVersion: {version}\n")
    (site / "airflow_ops_crdb.pth").write_text((LAYER_DIR / "airflow_ops_crdb.pth").read_text())
    return site


PROBE = """
import json, site, sys
site.addsitedir(sys.argv[1])
from airflow.utils.sqlalchemy import build_upsert_stmt
try:
    answer = build_upsert_stmt("cockroachdb", None, [], {}, {})
except ValueError:
    answer = "ValueError"
print(json.dumps(answer))
"""


def _run(site: Path, layer_dir: Path = LAYER_DIR):
    env = {"PYTHONPATH": str(layer_dir), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(site)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(result.stdout), result.stderr


def test_the_pth_line_patches_a_covered_airflow_on_import(tmp_path):
    answer, stderr = _run(_fake_airflow_site(tmp_path, "3.3.2"))
    assert answer == "pg"
    assert "airflow_ops_crdb" not in stderr


def test_an_uncovered_airflow_gets_a_warning_and_no_patch(tmp_path):
    answer, stderr = _run(_fake_airflow_site(tmp_path, "3.4.0"))
    assert answer == "ValueError"
    assert "Airflow 3.4.0 has no CockroachDB layer (covered: 2.11, 3.3)" in stderr


def test_the_assume_file_opts_an_uncovered_airflow_in(tmp_path):
    layer_copy = tmp_path / "layer" / "airflow_ops_crdb"
    shutil.copytree(LAYER_DIR / "airflow_ops_crdb", layer_copy)
    (layer_copy / "assume_layer").write_text("3.3\n")
    answer, _stderr = _run(_fake_airflow_site(tmp_path, "3.4.0"), layer_dir=layer_copy.parent)
    assert answer == "pg"
