"""The upgrade route for Airflow on a CockroachDB metadata database (docs/upgrade-on-cockroachdb.md): copy
the metastore back to PostgreSQL with ``metastore_dump schema_from``, let the new release's own
``airflow db migrate`` move the schema there, and move it forward again.

The "CockroachDB side" is one parameter of ``side``:
- ``postgresql``: always; a database on the local PostgreSQL test server that the collection's modules
  loaded (dump, rewrite, load), standing in for the cluster. It proves the route's steps, the schema
  checks, the row and sequence handling and the test itself. It proves nothing about CockroachDB: not that
  its ``COPY ... TO STDOUT`` text loads into PostgreSQL, nor that its information_schema lists what
  PostgreSQL's does.
- ``cockroachdb``: with ``AIRFLOW_OPS_TEST_CRDB_URL``, the same steps with the side on a real cluster
  (loaded through the CockroachDB rewrite). No CockroachDB can run here, so it skips and says so.

Each copy back is checked independently of the modules: the final PostgreSQL database is compared row for
row (every column's text, in primary-key order) with the PostgreSQL database the side was loaded from.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid

import psycopg2
import pytest
from cryptography.fernet import Fernet

from tests.integration import metastore_helpers as h
from tests.integration.test_crdb_cluster_airflow import Target, empty_database_for
from tests.support import airflow_env

pytestmark = [pytest.mark.integration]

OLD, NEW = "2.11.2", "3.3.2"


@pytest.fixture(params=["postgresql", "cockroachdb"])
def side(request, postgres_server):
    """An empty database on the "CockroachDB side" (see the module docstring)."""
    yield from empty_database_for(request, postgres_server)


@pytest.fixture
def databases(postgres_server):
    """new(prefix) -> the name of a new database on the PostgreSQL test server; all dropped afterwards."""
    made = []

    def new(prefix):
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        h.create_database(postgres_server, name)
        made.append(name)
        return name

    yield new
    for name in made:
        h.drop_database(postgres_server, name)


def _ok(result):
    assert result["_rc"] == 0, result.get("msg")
    return result


def _copy(dump_args: dict, target_url: str, target_kind: str, crdb_version: str | None, work) -> dict:
    """The collection's pipeline: metastore_dump (with ``dump_args``), rewrite, load (verifies), verify."""
    dump = work / "dump"
    dumped = _ok(h.run_module("metastore_dump", dict(dump_args, dump_dir=str(dump))))
    rewrite_args = {"src": str(dump / "schema"), "dest": str(work / "rewritten"), "target": target_kind}
    if crdb_version:
        rewrite_args["target_version"] = crdb_version
    _ok(h.run_module("metastore_rewrite", rewrite_args))
    load = {"url": target_url, "dump_dir": str(dump), "schema_dir": str(work / "rewritten")}
    _ok(h.run_module("metastore_load", load))
    _ok(h.run_module("metastore_verify", {"url": target_url, "dump_dir": str(dump)}))
    return dumped


def _rows_as_text(url: str) -> dict:
    """{table: [row, ...]} with every column as PostgreSQL's text, in primary-key order: the comparison
    that does not go through the modules."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                " AND table_type = 'BASE TABLE' ORDER BY 1"
            )
            tables = [row[0] for row in cur.fetchall()]
            found = {}
            for table in tables:
                cur.execute(f'SELECT t::text FROM public."{table}" t ORDER BY 1')
                found[table] = [row[0] for row in cur.fetchall()]
            return found
    finally:
        conn.close()


def _next_ids(url: str) -> dict:
    """What every sequence hands out next (nextval, so call it once per database)."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT sequence_name FROM information_schema.sequences ORDER BY 1")
            names = [row[0] for row in cur.fetchall()]
            found = {}
            for name in names:
                cur.execute("SELECT nextval(%s)", (f'public."{name}"',))
                found[name] = cur.fetchone()[0]
            return found
    finally:
        conn.close()


def _schema_dump(postgres_server, databases, work) -> str:
    """The schema dump: the test schema (no rows) on an empty PostgreSQL database, dumped."""
    name = databases("schema")
    h.create_schema(postgres_server.url_for(name))
    path = work / "schema-dump"
    _ok(h.run_module("metastore_dump", h.conn_args(postgres_server, name, dump_dir=str(path))))
    return str(path)


def test_a_copy_back_under_a_schema_dump_gives_postgresql_every_row_and_sequence(
    postgres_server, side, databases, tmp_path
):
    """Awkward rows (NULLs, COPY escapes, unicode, json, bytea) go PostgreSQL -> side -> PostgreSQL; the
    last database equals the first row for row and hands out the same next ids; the copy back's second run
    rewrites nothing. Fails without schema_from (the module rejects the option)."""
    original = databases("orig")
    h.create_schema(postgres_server.url_for(original))
    counts = h.fill(postgres_server.url_for(original), dags=5, runs_per_dag=8, tasks_per_run=3)
    _copy(h.conn_args(postgres_server, original), side.url, side.kind, side.crdb_version, tmp_path / "forth")

    schema_dump = _schema_dump(postgres_server, databases, tmp_path)
    final = databases("back")
    back_args = {"url": side.url, "schema_from": schema_dump}
    dumped = _copy(back_args, postgres_server.url_for(final), "postgresql", None, tmp_path / "back")

    assert dumped["changed"] is True
    assert {t["name"]: t["row_count"] for t in dumped["tables"]} == dict(counts, alembic_version=1)
    assert _rows_as_text(postgres_server.url_for(final)) == _rows_as_text(postgres_server.url_for(original))
    assert _next_ids(postgres_server.url_for(final)) == _next_ids(postgres_server.url_for(original))
    again = _ok(h.run_module("metastore_dump", dict(back_args, dump_dir=str(tmp_path / "back" / "dump"))))
    assert again["changed"] is False, again["reason"]


def _refused(args: dict, dump_dir) -> str:
    result = h.run_module("metastore_dump", dict(args, dump_dir=str(dump_dir)))
    assert result["_rc"] != 0, "the copy back was not refused"
    assert not (dump_dir / "manifest.json").exists(), "a refused copy back wrote a dump"
    return result["msg"]


def test_a_copy_back_refuses_a_source_whose_schema_differs_and_writes_nothing(
    postgres_server, side, databases, tmp_path
):
    """Another Alembic revision, a table or a column the schema dump lacks: refused, naming what differs,
    before anything is written (rows with no place in the schema would be lost)."""
    original = databases("orig")
    h.create_schema(postgres_server.url_for(original))
    h.fill(postgres_server.url_for(original), dags=2, runs_per_dag=2, tasks_per_run=1)
    _copy(h.conn_args(postgres_server, original), side.url, side.kind, side.crdb_version, tmp_path / "forth")
    schema_dump = _schema_dump(postgres_server, databases, tmp_path)
    args = {"url": side.url, "schema_from": schema_dump}
    conn = psycopg2.connect(side.url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("UPDATE alembic_version SET version_num = 'aaaaaaaaaaaa'")
            assert "Alembic revision aaaaaaaaaaaa" in _refused(args, tmp_path / "d1")
            cur.execute("UPDATE alembic_version SET version_num = %s", (h.ALEMBIC_REVISION,))
            cur.execute("CREATE TABLE public.provider_extra (id int PRIMARY KEY)")
            assert "table public.provider_extra is on the source only" in _refused(args, tmp_path / "d2")
            cur.execute("DROP TABLE public.provider_extra")
            cur.execute("ALTER TABLE public.log ADD COLUMN added_later text")
            msg = _refused(args, tmp_path / "d3")
            assert "public.log has columns on the source only: added_later" in msg
    finally:
        conn.close()


def test_schema_from_must_be_a_dump_of_an_airflow_database(postgres_server, databases, tmp_path):
    """A folder that is no dump, and a dump of a database without alembic_version, are refused with what
    to do."""
    source = databases("src")
    h.create_schema(postgres_server.url_for(source))
    args = h.conn_args(postgres_server, source, schema_from=str(tmp_path / "nothing-here"))
    assert "dump the PostgreSQL database that `airflow db migrate`" in _refused(args, tmp_path / "d1")
    not_airflow = databases("plain")
    h.query(postgres_server.url_for(not_airflow), "CREATE TABLE t (id int PRIMARY KEY)")
    plain_dump = tmp_path / "plain-dump"
    _ok(h.run_module("metastore_dump", h.conn_args(postgres_server, not_airflow, dump_dir=str(plain_dump))))
    args = h.conn_args(postgres_server, source, schema_from=str(plain_dump))
    assert "has no Alembic revision" in _refused(args, tmp_path / "d2")


# --- The whole route with real Airflow releases ----------------------------------------------------------

FERNET_KEY = Fernet.generate_key().decode()


def _airflow(version: str, url: str, home, *argv: str) -> str:
    """One `airflow` command of ``version``; its stdout. Each release gets an AIRFLOW_HOME of its own: 3.3.2
    warns on stdout about 2.11.2's airflow.cfg."""
    (home / version).mkdir(exist_ok=True)
    env = airflow_env.airflow_environment(url, home / version)
    env["AIRFLOW__CORE__FERNET_KEY"] = FERNET_KEY  # one key for both releases, as the airflow role keeps it
    done = subprocess.run(
        [str(airflow_env.ensure_airflow(version)), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, (
        f"airflow {version} {' '.join(argv)}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def _head(url: str) -> str:
    return h.query(url, "SELECT version_num FROM alembic_version")[0][0]


@pytest.mark.slow
def test_airflow_upgrade_route_2_11_to_3_3_through_postgresql_keeps_every_variable_and_connection(
    postgres_server, side, databases, tmp_path
):
    """Airflow 2.11.2's metastore (made by its own `db migrate`, filled by its CLI) lives on the side. The
    route: a schema dump from 2.11.2's `db migrate` on an empty PostgreSQL database, the copy back under it,
    3.3.2's own `db migrate` on the copy (the head moves), then forward to a new database on the side. 3.3.2
    reads every variable and connection back, through its CLI, on the forward copy's source. What Airflow is
    down for is the copy back plus the migration: printed (not asserted) for the docs."""
    original = databases("af211")
    original_url = postgres_server.url_for(original)
    home = tmp_path / "home"
    home.mkdir()
    airflow_env.migrate_airflow_db(original_url, OLD)
    variables = {f"var_{i}": f"wert {i}: Zürich, 東京 🚀" for i in range(10)}
    (tmp_path / "vars.json").write_text(json.dumps(variables))
    connections = {
        f"conn_{i}": {"conn_type": "postgres", "host": f"db{i}", "password": f"s3cret-{i}"} for i in range(3)
    }
    (tmp_path / "conns.json").write_text(json.dumps(connections))
    _airflow(OLD, original_url, home, "variables", "import", str(tmp_path / "vars.json"))
    _airflow(OLD, original_url, home, "connections", "import", str(tmp_path / "conns.json"))
    _copy(h.conn_args(postgres_server, original), side.url, side.kind, side.crdb_version, tmp_path / "forth")
    old_head = _head(side.url)

    schema = databases("schema211")
    airflow_env.migrate_airflow_db(postgres_server.url_for(schema), OLD)
    schema_dump = tmp_path / "schema-dump"
    _ok(h.run_module("metastore_dump", h.conn_args(postgres_server, schema, dump_dir=str(schema_dump))))

    started = time.monotonic()
    upgraded = databases("upgraded")
    upgraded_url = postgres_server.url_for(upgraded)
    back_args = {"url": side.url, "schema_from": str(schema_dump)}
    _copy(back_args, upgraded_url, "postgresql", None, tmp_path / "back")
    copied_back = time.monotonic()
    assert _rows_as_text(upgraded_url) == _rows_as_text(original_url)
    _airflow(NEW, upgraded_url, home, "db", "migrate")
    migrated = time.monotonic()
    assert _head(upgraded_url) != old_head, "3.3.2's db migrate did not move the head"

    _airflow(NEW, upgraded_url, home, "variables", "export", str(tmp_path / "exported.json"))
    assert json.loads((tmp_path / "exported.json").read_text()) == variables
    _airflow(NEW, upgraded_url, home, "connections", "export", str(tmp_path / "conns-out.json"))
    exported = json.loads((tmp_path / "conns-out.json").read_text())
    assert {k: c["password"] for k, c in exported.items()} == {
        k: c["password"] for k, c in connections.items()
    }

    forward = Target(side.kind, side.admin_url)
    try:
        _copy(
            h.conn_args(postgres_server, upgraded),
            forward.url,
            side.kind,
            side.crdb_version,
            tmp_path / "fwd",
        )
        assert _head(forward.url) == _head(upgraded_url)
    finally:
        forward.drop()
    print(
        f"\nupgrade route ({side.kind} side, {len(variables)} variables):"
        f" copy back {copied_back - started:.1f} s, airflow {NEW} db migrate {migrated - copied_back:.1f} s"
    )
