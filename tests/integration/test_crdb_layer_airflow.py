"""The airflow_ops_crdb layer against real Airflow code under the real sqlalchemy-cockroachdb dialect.

Each check runs Airflow's own write path (Variable.set, RenderedTaskInstanceFields.write, the state
store's MetastoreBackend.set) in the Airflow venv's python, with the ``cockroachdb`` dialect pointed at
the real PostgreSQL test server (sqlalchemy-cockroachdb connects to PostgreSQL 15; only its reflection
queries fail there, and these paths do not reflect). The SQL Airflow sends is captured and asserted:
INSERT ... ON CONFLICT ... DO UPDATE, the upsert CockroachDB documents. The same checks with the layer
switched off (the test does not activate it) must fail on Airflow 3.3: that is the bug the layer fixes.

What this does not prove: that a CockroachDB server accepts the SQL. None can run here, and no test runs
these checks against a real cluster yet (it needs an Airflow metastore migrated onto the cluster first).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.support.airflow_env import (
    REPO_ROOT,
    airflow_environment,
    constraints_file,
    ensure_airflow,
    migrate_airflow_db,
)

LAYER_DIR = REPO_ROOT / "roles" / "airflow" / "files"
PROBE = Path(__file__).with_name("crdb_layer_probe.py")
DIALECT_ROOT = REPO_ROOT / ".cache" / "crdb-dialect"
UPSERT_CHECKS = ("variable", "rendered_fields", "state_store")


def ensure_crdb_dialect(version: str) -> Path:
    """sqlalchemy-cockroachdb at the constraints' pin, in a directory of its own (the venv is shared)."""
    python = ensure_airflow(version).with_name("python")
    target = DIALECT_ROOT / version
    if not (target / "sqlalchemy_cockroachdb").is_dir():
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
             "--target", str(target), "-c", str(constraints_file(version, False)), "sqlalchemy-cockroachdb"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    return target


def cockroachdb_env(pg_url: str, home: Path, version: str) -> dict:
    """Airflow's environment with the cockroachdb dialect (psycopg2; asyncpg for Airflow 3's async URL)."""
    env = airflow_environment(pg_url, home)
    # sqlalchemy-cockroachdb 1.4 counts itself in crdb_internal on connect, which PostgreSQL lacks.
    rest = pg_url.split("://", 1)[1] + "?disable_cockroachdb_telemetry=true"
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"cockroachdb+psycopg2://{rest}"
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] = f"cockroachdb+asyncpg://{pg_url.split('://', 1)[1]}"
    env["PYTHONPATH"] = str(ensure_crdb_dialect(version))
    return env


def run_probe(version: str, pg_url: str, layer: bool, checks, extra_env: dict | None = None) -> dict:
    python = ensure_airflow(version).with_name("python")
    with tempfile.TemporaryDirectory(prefix="airflow-home-") as home:
        env = cockroachdb_env(pg_url, Path(home), version) | (extra_env or {})
        result = subprocess.run(
            [
                str(python),
                str(PROBE),
                json.dumps({"layer_site": str(LAYER_DIR) if layer else None, "checks": list(checks)}),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    lines = [line for line in result.stdout.splitlines() if line.startswith("AIRFLOW_OPS_PROBE ")]
    assert lines, f"probe failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return json.loads(lines[-1].split(" ", 1)[1])


@pytest.fixture(scope="module", params=["3.3.2", "2.11.2"])
def migrated(request, postgres_server):
    """An Airflow metadata database made by the real ``airflow db migrate`` (on PostgreSQL's dialect)."""
    import psycopg2

    version = request.param
    name = f"crdb_layer_{version.replace('.', '_')}"
    conn = psycopg2.connect(postgres_server.url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.url_for(name)
    migrate_airflow_db(url, version)
    yield version, url
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def _assert_upserts(result: dict, table: str, expected_second) -> None:
    assert result["dialect"] == "cockroachdb"
    for check in UPSERT_CHECKS:
        assert "error" not in result[check], result[check].get("tb")
    for check, tbl in zip(UPSERT_CHECKS, ("variable", "rendered_task_instance_fields", table), strict=True):
        sql = [s for s in result[check]["sql"] if s.startswith(f"INSERT INTO {tbl} ")]
        assert sql, result[check]["sql"]
        assert all(" ON CONFLICT (" in s and ") DO UPDATE SET " in s for s in sql), sql
    assert result["variable"]["value"] == "second"
    assert result["rendered_fields"]["value"] == {"bash_command": "echo second"}
    assert result["state_store"]["value"] == expected_second


@pytest.mark.slow
@pytest.mark.integration
def test_airflow_upserts_under_the_cockroachdb_dialect_with_the_layer(migrated):
    version, url = migrated
    if version.startswith("2."):
        pytest.skip("Airflow 2.11 has no upsert builder and no state store: see the 2.11 merge test")
    result = run_probe(version, url, layer=True, checks=UPSERT_CHECKS)
    assert result["layer"] == "airflow_ops_crdb.airflow_3_3"
    _assert_upserts(result, "asset_state_store", "second")


@pytest.mark.slow
@pytest.mark.integration
def test_airflow_3_upserts_fail_under_the_cockroachdb_dialect_without_the_layer(migrated):
    version, url = migrated
    if version.startswith("2."):
        pytest.skip("Airflow 2.11 needs no patch (its layer file is empty); nothing to switch off")
    result = run_probe(version, url, layer=False, checks=UPSERT_CHECKS)
    assert result["layer"] is None
    assert "Unsupported database dialect 'cockroachdb'" in result["variable"]["error"]
    assert "Unsupported database dialect 'cockroachdb'" in result["rendered_fields"]["error"]
    # The state store's own builder does not raise: its SQLite INSERT fails to compile on cockroachdb.
    assert (
        "'OnConflictDoUpdate' object has no attribute 'constraint_target'" in result["state_store"]["error"]
    )


@pytest.mark.slow
@pytest.mark.integration
def test_airflow_2_variable_and_rendered_fields_work_under_the_cockroachdb_dialect(migrated):
    version, url = migrated
    if not version.startswith("2."):
        pytest.skip("the Airflow 3 upsert tests cover 3.3")
    result = run_probe(version, url, layer=True, checks=("variable", "rendered_fields"))
    assert result["dialect"] == "cockroachdb"
    assert result["layer"] == "airflow_ops_crdb.airflow_2_11"
    for check in ("variable", "rendered_fields"):
        assert "error" not in result[check], result[check].get("tb")
    assert result["variable"]["value"] == "second"
    assert result["rendered_fields"]["value"] == {"bash_command": "echo second"}


@pytest.mark.slow
@pytest.mark.integration
def test_other_patched_places_compile_to_cockroachdb_sql(migrated):
    version, url = migrated
    if version.startswith("2."):
        pytest.skip("Airflow 2.11 has none of these places")
    on = run_probe(version, url, layer=True, checks=["compiled"])["compiled"]["value"]
    assert on["random_db_uuid"] == "gen_random_uuid()"
    assert on["json_extract"].startswith("json_extract_path_text(")
    assert on["calendar_hourly"].startswith("date_trunc(")
    assert "duration=EXTRACT(EPOCH FROM" in on["ti_duration"]
    off = run_probe(version, url, layer=False, checks=["compiled"])["compiled"]["value"]
    assert "no default compilation handler" in off["random_db_uuid"]
    assert not off["json_extract"].startswith("json_extract_path_text("), off
    assert "Unsupported dialect: cockroachdb" in off["calendar_hourly"]
    assert "timestampdiff" in off["ti_duration"]


@pytest.mark.slow
@pytest.mark.integration
def test_the_average_runtime_deadline_queries_with_extract_epoch(migrated):
    version, url = migrated
    if version.startswith("2."):
        pytest.skip("Airflow 2.11 has no deadlines")
    on = run_probe(version, url, layer=True, checks=["deadlines"])["deadlines"]
    assert on["value"] == {"models": "None", "serialized": "None"}  # no DAG runs: no deadline, no error
    assert any("EXTRACT(epoch FROM dag_run.end_date - dag_run.start_date)" in s for s in on["sql"]), on["sql"]
    off = run_probe(version, url, layer=False, checks=["deadlines"])["deadlines"]["value"]
    assert off == {
        "models": "ERROR ValueError: Unsupported database dialect: cockroachdb",
        "serialized": "ERROR ValueError: Unsupported database dialect: cockroachdb",
    }


@pytest.mark.slow
@pytest.mark.integration
def test_the_dag_processor_activates_assets_with_on_conflict_do_nothing(migrated):
    version, url = migrated
    if version.startswith("2."):
        pytest.skip("Airflow 2.11 has no eager asset activation")
    on = run_probe(version, url, layer=True, checks=["asset_activation"])["asset_activation"]
    assert on.get("value") == 1, on.get("tb")  # the second activation hit the conflict and did nothing
    inserts = [s for s in on["sql"] if s.startswith("INSERT INTO asset_active ")]
    assert len(inserts) == 2 and all(s.endswith(" ON CONFLICT DO NOTHING") for s in inserts), on["sql"]
    off = run_probe(version, url, layer=False, checks=["asset_activation"])["asset_activation"]
    assert "'OnConflictDoNothing' object has no attribute 'constraint_target'" in off["error"]


def _engine_args_the_role_writes(crdb_version: str) -> str:
    """[database] sql_alchemy_engine_args exactly as the airflow role's template renders it."""
    from tests.unit.test_airflow_cfg import inputs, render

    cfg, _unused = render(inputs("cockroachdb", "3.3.2", cockroachdb_version=crdb_version))
    return cfg.get("database", "sql_alchemy_engine_args")


@pytest.mark.slow
@pytest.mark.integration
def test_airflow_sessions_run_with_the_isolation_the_role_configures(migrated):
    """Airflow's own settings.configure_orm, under the real cockroachdb dialect, applies the role's
    sql_alchemy_engine_args: with the database's default set to SERIALIZABLE (CockroachDB's default),
    Airflow's sync sessions run READ COMMITTED when the rule says so (v25.4.1), SERIALIZABLE when it does
    not (v23.2), and keep the server default without the setting. The async engine (Airflow 3) takes no
    engine args: it keeps the server's/role's default, which is why the cockroachdb role sets the
    Airflow user's default_transaction_isolation too. Not proven: CockroachDB's behaviour under each."""
    import psycopg2

    version, url = migrated
    database = url.rsplit("/", 1)[1].split("?")[0]
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"ALTER DATABASE \"{database}\" SET default_transaction_isolation = 'serializable'")
    try:
        runs = {
            crdb: run_probe(
                version, url, layer=True, checks=["isolation"],
                extra_env={"AIRFLOW__DATABASE__SQL_ALCHEMY_ENGINE_ARGS": _engine_args_the_role_writes(crdb)},
            )["isolation"]
            for crdb in ("v25.4.1", "v23.2.5")
        }  # fmt: skip
        unset = run_probe(version, url, layer=True, checks=["isolation"])["isolation"]
    finally:
        with conn.cursor() as cur:
            cur.execute(f'ALTER DATABASE "{database}" RESET default_transaction_isolation')
        conn.close()
    for result in (*runs.values(), unset):
        assert "error" not in result, result.get("tb")
    assert runs["v25.4.1"]["value"]["sync"] == "read committed"
    assert runs["v23.2.5"]["value"]["sync"] == "serializable"
    assert unset["value"]["sync"] == "serializable"
    if version.startswith("3."):
        assert runs["v25.4.1"]["value"]["async"] == "serializable"  # the role default's job
