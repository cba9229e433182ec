"""Golden files: real pg_dump output of real Airflow metadata databases, and their rewrites.

``tests/golden/<variant>/pg_dump/`` holds the pg_dump ``--schema-only`` pre-data and post-data of a
database created by a real ``airflow db migrate`` (variants: Airflow 3.3.2, 3.3.2 with the FAB
provider, 2.11.2), normalised (``\\restrict`` keys are random; server versions vary by machine).
The ``*-upgraded`` variants are what real operators have: a metastore created by an older release
and brought to 3.3.2 by each release's own ``airflow db migrate`` (2.9.3 or 2.10.5 -> 2.11.2 ->
3.3.2, ``airflow_env.UPGRADE_CHAINS``); they hold what the upgrades leave behind (the pgcrypto
extension, ``_xcom_archive``, ``sla_miss``, FAB tables) and a fresh 3.3.2 never has.
``tests/golden/<variant>/<rewrite>/`` holds the expected metastore_rewrite output for each entry of
``REWRITES``.

- The slow tests install Airflow (cached under .cache/airflow-venvs), migrate a fresh database on the
  session PostgreSQL, dump it and compare with the golden dump; then rewrite it and compare.
- The fast tests rewrite the committed golden dumps (no Airflow needed), compare with the expected
  output, and load the PostgreSQL rewrite into a real database (and the CockroachDB rewrite into a
  real cluster when AIRFLOW_OPS_TEST_CRDB_URL is set).

After an intended change (new Airflow release, new rule), regenerate every golden file with
``AIRFLOW_OPS_UPDATE_GOLDEN=1 pytest -m slow tests/integration/test_golden_schemas.py`` and review
the diff before committing it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils import cockroachdb_rules as rules
from ansible_collections.airflow_ops.metastore.plugins.module_utils import sqlscript
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.rewrite.schema_rewrite import (
    UnverifiedConstructs,
    report_document,
    rewrite_schema,
)
from pglast.enums import ConstrType

from tests.support.airflow_env import UPGRADE_CHAINS, dump_schema, migrate_airflow_db, migrate_upgrade_chain

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("AIRFLOW_OPS_UPDATE_GOLDEN") == "1"
SECTIONS = ("pre-data", "post-data")
OWNER = "airflow_owner"

VARIANTS = {
    "airflow-3.3.2": {"version": "3.3.2", "fab": False},
    "airflow-3.3.2-fab": {"version": "3.3.2", "fab": True},
    "airflow-2.11.2": {"version": "2.11.2", "fab": False},
    "airflow-2.9.3-upgraded": {"chain": UPGRADE_CHAINS["2.9.3"]},
    "airflow-2.10.5-upgraded": {"chain": UPGRADE_CHAINS["2.10.5"]},
}
UPGRADED = [name for name, spec in VARIANTS.items() if "chain" in spec]
# rewrite directory -> (target, target_version, owner)
REWRITES = {
    "cockroachdb-v25.4": ("cockroachdb", "v25.4", None),
    "cockroachdb-v20.2": ("cockroachdb", "v20.2", OWNER),
    "postgresql": ("postgresql", None, OWNER),
}


def normalise_dump(text: str) -> str:
    """Remove what differs between two dumps of the same schema: \\restrict keys, server versions."""
    text = re.sub(r"^\\(restrict|unrestrict) \S+$", r"\\\1 GOLDEN-KEY", text, flags=re.M)
    version_line = r"^(-- Dumped (?:from database|by pg_dump) version) .*$"
    return re.sub(version_line, r"\1 (normalised)", text, flags=re.M)


def rewrite_files(dump: dict, target: str, version, owner) -> dict:
    pre, post, report, warnings = rewrite_schema(dump["pre-data"], dump["post-data"], target, version, owner)
    document = report_document(target, version, owner, report, warnings)
    return {
        "pre-data.sql": pre,
        "post-data.sql": post,
        "rewrite-report.json": json.dumps(document, indent=2, sort_keys=True) + "\n",
    }


def check_or_update(path: Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
        return
    assert path.exists(), f"{path} missing: generate it with AIRFLOW_OPS_UPDATE_GOLDEN=1 (see docstring)"
    expected = path.read_text()
    assert actual == expected, f"{path} differs; if intended, regenerate with AIRFLOW_OPS_UPDATE_GOLDEN=1"


def golden_dump(variant: str) -> dict:
    return {s: (GOLDEN / variant / "pg_dump" / f"{s}.sql").read_text() for s in SECTIONS}


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_real_airflow_dump_matches_golden_and_rewrites_to_expected(
    variant, postgres_server, pg_database, tmp_path
):
    spec = VARIANTS[variant]
    if "chain" in spec:
        migrate_upgrade_chain(postgres_server.url_for(pg_database), spec["chain"])
    else:
        migrate_airflow_db(postgres_server.url_for(pg_database), spec["version"], spec["fab"])
    files = dump_schema(postgres_server, pg_database, tmp_path)
    dump = {s: normalise_dump(files[s].read_text()) for s in SECTIONS}
    for section in SECTIONS:
        check_or_update(GOLDEN / variant / "pg_dump" / f"{section}.sql", dump[section])
    for name, (target, version, owner) in REWRITES.items():
        for filename, content in rewrite_files(dump, target, version, owner).items():
            check_or_update(GOLDEN / variant / name / filename, content)


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("rewrite", list(REWRITES))
def test_golden_dump_rewrites_to_the_expected_output(variant, rewrite):
    if UPDATE:
        pytest.skip("AIRFLOW_OPS_UPDATE_GOLDEN=1: the slow test regenerates the golden files")
    for filename, content in rewrite_files(golden_dump(variant), *REWRITES[rewrite]).items():
        check_or_update(GOLDEN / variant / rewrite / filename, content)


def _execute_script(conn, *texts: str) -> int:
    count = 0
    with conn.cursor() as cur:
        for text in texts:
            for statement in sqlscript.split_statements(text):
                cur.execute(statement)
                count += 1
    return count


def _table_count(conn) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        return cur.fetchone()[0]


@pytest.mark.integration
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_postgresql_rewrite_of_real_airflow_schema_loads_into_postgresql(
    variant, postgres_server, pg_database
):
    admin = psycopg2.connect(postgres_server.url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"SELECT 1 FROM pg_roles WHERE rolname = '{OWNER}'")
        if not cur.fetchone():
            cur.execute(f"CREATE ROLE {OWNER}")
    admin.close()
    rewritten = GOLDEN / variant / "postgresql"
    conn = psycopg2.connect(postgres_server.url_for(pg_database))
    with conn:
        _execute_script(conn, *((rewritten / f"{s}.sql").read_text() for s in SECTIONS))
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> %s", (OWNER,)
        )
        assert cur.fetchone()[0] == 0
    expected_tables = golden_dump(variant)["pre-data"].count("CREATE TABLE ")
    assert _table_count(conn) == expected_tables
    conn.close()


@pytest.mark.integration
@pytest.mark.cockroachdb
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_cockroachdb_rewrite_of_real_airflow_schema_loads_into_cockroachdb(variant, cockroachdb_url):
    database = f"airflow_ops_golden_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(cockroachdb_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {database}")
    try:
        url = re.sub(r"/[^/?]*(\?|$)", rf"/{database}\1", cockroachdb_url.split("://", 1)[1], count=1)
        conn = psycopg2.connect(cockroachdb_url.split("://", 1)[0] + "://" + url)
        conn.autocommit = True
        rewritten = GOLDEN / variant / "cockroachdb-v25.4"
        _execute_script(conn, *((rewritten / f"{s}.sql").read_text() for s in SECTIONS))
        assert _table_count(conn) == golden_dump(variant)["pre-data"].count("CREATE TABLE ")
        conn.close()
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {database} CASCADE")
        admin.close()


def _schema_of(postgres_server, dbname: str) -> str:
    dumped = subprocess.run(
        [
            str(postgres_server.bindir / "pg_dump"),
            "--schema-only",
            "--no-owner",
            postgres_server.url_for(dbname),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return normalise_dump(dumped)


@pytest.mark.integration
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_cockroachdb_rewrite_keeps_every_table_key_index_and_fk(variant, postgres_server, pg_database):
    """Loaded into PostgreSQL, the CockroachDB v25.4 rewrite dumps exactly like the original schema."""
    original = f"{pg_database}_orig"
    admin = psycopg2.connect(postgres_server.url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{original}"')
    try:
        for dbname, texts in (
            (original, golden_dump(variant).values()),
            (
                pg_database,
                ((GOLDEN / variant / "cockroachdb-v25.4" / f"{s}.sql").read_text() for s in SECTIONS),
            ),
        ):
            conn = psycopg2.connect(postgres_server.url_for(dbname))
            with conn:
                _execute_script(conn, *texts)
                if dbname == original:
                    # The one object the rewrite removes on purpose (rule pgcrypto-extension); without
                    # CASCADE this fails if anything in the schema used the extension.
                    with conn.cursor() as cur:
                        cur.execute("DROP EXTENSION IF EXISTS pgcrypto")
            conn.close()
        rewritten_schema = _schema_of(postgres_server, pg_database)
        assert rewritten_schema.count("PRIMARY KEY") == golden_dump(variant)["post-data"].count("PRIMARY KEY")
        assert rewritten_schema == _schema_of(postgres_server, original)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{original}" WITH (FORCE)')
        admin.close()


# Versions across the rule table's gates (v21.1, v21.2, v22.1, v23.2.1), up to the newest lines.
CRDB_VERSIONS = ["v20.2", "v21.1", "v21.2", "v22.1", "v23.1", "v23.2.0", "v23.2.1", "v24.3", "v25.4", "v26.2"]


@pytest.mark.parametrize("variant", UPGRADED)
def test_upgraded_golden_dump_is_really_an_upgraded_metastore(variant):
    """What Airflow's upgrade chain leaves behind and a fresh 3.3.2 lacks: else the variant proves nothing."""
    pre = golden_dump(variant)["pre-data"]
    fresh = golden_dump("airflow-3.3.2")["pre-data"]
    for leftover in (
        "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;",
        "COMMENT ON EXTENSION pgcrypto IS",
        "CREATE TABLE public._xcom_archive (",
        "CREATE TABLE public.sla_miss (",
    ):
        assert leftover in pre and leftover not in fresh


@pytest.mark.parametrize("version", CRDB_VERSIONS)
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_golden_dump_rewrites_for_every_cockroachdb_version_with_no_unknown_construct(variant, version):
    """No construct is left that no rule knows (the rewrite would raise), and the output parses."""
    dump = golden_dump(variant)
    pre, post, report, _notes = rewrite_schema(dump["pre-data"], dump["post-data"], "cockroachdb", version)
    assert "unverified-constructs" not in report
    statements = [s for text in (pre, post) for s in sqlscript.parse_script(text)[0]]
    kinds = {s.kind for s in statements}
    assert not kinds & {"CreateExtensionStmt", "CommentStmt"}
    creates = [s for s in statements if s.kind == "CreateStmt"]
    assert len(creates) == dump["pre-data"].count("CREATE TABLE ")
    assert all(
        any(getattr(e, "contype", None) == ConstrType.CONSTR_PRIMARY for e in c.node.tableElts)
        for c in creates
    )


@pytest.mark.parametrize("variant", UPGRADED)
def test_upgraded_dump_without_the_extension_rules_fails_the_rewrite(variant, monkeypatch):
    """The extension statements are exactly what the new rules exist for: without them, a clear failure."""
    kept = tuple(r for r in rules.RULES if r.id not in ("pgcrypto-extension", "comment-on-extension"))
    monkeypatch.setattr(rules, "RULES", kept)
    dump = golden_dump(variant)
    with pytest.raises(UnverifiedConstructs) as failure:
        rewrite_schema(dump["pre-data"], dump["post-data"], "cockroachdb", "v25.4")
    assert [c.split(":")[0] for c in failure.value.constructs] == [
        "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public",
        "COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions'",
    ]
