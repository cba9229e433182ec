"""The online migration's core on real servers: dump from a slot's snapshot, load, catch up, drain.

The source is a real PostgreSQL 15 with ``wal_level=logical`` (its own server, started here); the target
is the session's PostgreSQL, or a real CockroachDB cluster with AIRFLOW_OPS_TEST_CRDB_URL (the same
test, unchanged, skipping with that reason otherwise). The schema is the golden Airflow 3.3.2 metastore
(``airflow db migrate``'s own DDL); tests/support/airflow_writer.py changes it as Airflow does, at a
fixed rate, while the modules run as real subprocesses (so kill -9 hits a real process).

Two checks do not come from the modules under test:

- ``full_difference``: every table of the source, read as ``COPY (SELECT * ... ORDER BY primary key)``
  on both sides and compared byte for byte (PostgreSQL targets; on CockroachDB, whose COPY text differs,
  the row-level comparison of metastore_verify stands in, which is then not independent);
- ``source_transactions``: an observer slot with PostgreSQL's ``test_decoding`` plugin, created before
  the sync's slot, counts the source transactions committed after the dump's consistent point; the
  target's ``sync_state.transactions`` (counted in the same transactions that apply them) must equal it,
  so a transaction applied twice (or lost) is seen even where an idempotent upsert would hide it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
import uuid

import psycopg2
import pytest

from tests.integration import metastore_helpers as h
from tests.support.airflow_writer import AirflowWriter, load_golden_schema
from tests.support.postgres_server import remove_postgres, start_postgres

pytestmark = pytest.mark.integration

LOGICAL = {"wal_level": "logical", "max_replication_slots": "6", "max_wal_senders": "6"}
SLOT = "airflow_ops_sync"
RATE = 40.0  # writer transactions per second


@pytest.fixture(scope="module")
def logical_source():
    server = start_postgres(settings=LOGICAL)
    yield server
    remove_postgres(server)


class Target:
    """A fresh target database on PostgreSQL or CockroachDB, as the modules' connection options."""

    def __init__(self, kind, admin_url):
        self.kind = kind
        self.name = f"airflow_ops_sync_{uuid.uuid4().hex[:8]}"
        self.admin_url = admin_url
        self._admin(f'CREATE DATABASE "{self.name}"')
        self.url = psycopg2.extensions.make_dsn(admin_url, dbname=self.name)

    def _admin(self, statement):
        conn = psycopg2.connect(self.admin_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)
        conn.close()

    def drop(self):
        force = " CASCADE" if self.kind == "cockroachdb" else " WITH (FORCE)"
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"{force}')


@pytest.fixture(params=["postgresql", "cockroachdb"])
def target(request, postgres_server):
    if request.param == "cockroachdb":
        url = request.getfixturevalue("cockroachdb_url")
    else:
        url = postgres_server.url
    made = Target(request.param, url)
    yield made
    made.drop()


@pytest.fixture
def pg_target(postgres_server):
    made = Target("postgresql", postgres_server.url)
    yield made
    made.drop()


class Source:
    """A golden Airflow 3.3.2 metastore on the logical server, seeded, with an observer slot."""

    def __init__(self, server):
        self.server = server
        self.name = f"src_{uuid.uuid4().hex[:8]}"
        h.create_database(server, self.name)
        self.url = server.url_for(self.name)
        load_golden_schema(self.url)
        self.writer = AirflowWriter(self.url, rate=RATE)
        self.writer.seed()
        self.observer = f"observer_{uuid.uuid4().hex[:8]}"
        h.query(self.url, "SELECT pg_create_logical_replication_slot(%s, 'test_decoding')", (self.observer,))

    def args(self, **extra):
        return h.conn_args(self.server, self.name, **extra)

    def close(self):
        self.writer.stop_event.set()
        conn = psycopg2.connect(self.server.url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                " WHERE active_pid IS NOT NULL"
                " AND database = %s",
                (self.name,),
            )
            time.sleep(0.2)
            cur.execute(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = %s",
                (self.name,),
            )
        conn.close()
        h.drop_database(self.server, self.name)


@pytest.fixture
def source(logical_source):
    made = Source(logical_source)
    yield made
    made.close()


def dump_and_load(source, target, tmp_path, **load_options):
    """metastore_dump from a new slot, then metastore_load (rewritten for CockroachDB); the dump's result."""
    dump_dir = tmp_path / "dump"
    dump = h.run_module("metastore_dump", source.args(dump_dir=str(dump_dir), replication_slot=SLOT))
    assert dump["_rc"] == 0, dump.get("msg")
    load_args = {"url": target.url, "dump_dir": str(dump_dir), **load_options}
    if target.kind == "cockroachdb":
        rewritten = tmp_path / "crdb"
        rewrite = h.run_module(
            "metastore_rewrite",
            {"src": str(dump_dir / "schema"), "dest": str(rewritten), "target": "cockroachdb"},
        )
        assert rewrite["_rc"] == 0, rewrite.get("msg")
        load_args["schema_dir"] = str(rewritten)
    load = h.run_module("metastore_load", load_args)
    assert load["_rc"] == 0, load.get("msg")
    return dump


def sync_args(source, target, dump, tmp_path, **extra):
    args = {
        "url": target.url,
        "source_url": source.url,
        "start_lsn": dump["consistent_point"],
        "progress_log": str(tmp_path / "sync.log"),
        "progress_interval_seconds": 0.2,
    }
    args.update(extra)
    return args


def _tables(conn):
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname, array_agg(a.attname ORDER BY array_position(i.indkey::int2[], a.attnum))"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey::int2[])"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' GROUP BY 1 ORDER BY 1"
        )
        return cur.fetchall()


def _copy(conn, table, key):
    import io

    out = io.StringIO()
    order = ", ".join(f'"{k}"' for k in key)
    with conn.cursor() as cur:
        cur.copy_expert(f'COPY (SELECT * FROM public."{table}" ORDER BY {order}) TO STDOUT', out)
    return out.getvalue()


def full_difference(source, target):
    """{table: (source rows, target rows)} of every table whose content differs; {} when equal."""
    if target.kind == "cockroachdb":
        verify = h.run_module("metastore_verify", {"url": target.url, "source_url": source.url})
        return {} if verify["_rc"] == 0 else {"metastore_verify": verify.get("msg")}
    src, dst = psycopg2.connect(source.url), psycopg2.connect(target.url)
    try:
        differing = {}
        tables = _tables(src)
        assert len(tables) == 58  # every table of the golden Airflow 3.3.2 schema has a primary key
        for table, key in tables:
            expected, actual = _copy(src, table, key), _copy(dst, table, key)
            if expected != actual:
                differing[table] = (expected.count("\n"), actual.count("\n"))
        return differing
    finally:
        src.close()
        dst.close()


def source_transactions(source, consistent_point):
    """Transactions the observer slot saw commit after the dump's consistent point (test_decoding)."""
    return h.query(
        source.url,
        "SELECT count(*) FROM pg_logical_slot_peek_changes(%s, NULL, NULL, 'skip-empty-xacts', '1')"
        " WHERE data LIKE 'COMMIT%%' AND lsn > %s::pg_lsn",
        (source.observer, consistent_point),
    )[0][0]


def applied_transactions(target):
    return h.query(target.url, "SELECT transactions FROM airflow_ops.sync_state WHERE slot = %s", (SLOT,))[0][
        0
    ]


def test_writer_during_dump_load_and_catch_up_then_drain_leaves_the_target_equal(source, target, tmp_path):
    """Airflow's write pattern at a fixed rate through the dump, the load and the catch-up; then stop, drain.

    Proves: the dump from the slot's snapshot plus the stream lose nothing and apply nothing twice
    (independent byte comparison of all 58 tables, and the observer's transaction count); catch_up returns
    with the lag under its thresholds while the writer runs; drain ends at the source's position with no
    new message arriving after it; the slot reports the WAL it keeps; metastore_sync's own touched keys
    name rows the writer changed; the target gets no publication (the dump leaves the source's out).
    Does not prove: rates or timings (bench/), Airflow itself writing.
    """
    source.writer.start()
    time.sleep(1.0)
    dump = dump_and_load(source, target, tmp_path)
    assert dump["slots"][0]["name"] == SLOT and dump["slots"][0]["retained_wal_bytes"] >= 0
    if target.kind == "postgresql":  # the source's publication is ours, not Airflow's: it stays there
        assert h.query(target.url, "SELECT count(*) FROM pg_catalog.pg_publication")[0][0] == 0
    time.sleep(1.0)
    caught_up = h.run_module(
        "metastore_sync",
        sync_args(source, target, dump, tmp_path, max_lag_bytes=64 * 1024, max_lag_seconds=5),
    )
    assert caught_up["_rc"] == 0, caught_up.get("msg")
    assert caught_up["applied_transactions"] > 0 and caught_up["changed"] is True
    assert caught_up["lag_bytes"] <= 64 * 1024 and caught_up["lag_seconds"] <= 5
    assert caught_up["slots"][0]["active"] is True  # reported while it streamed
    time.sleep(1.0)  # the writer goes on after the catch-up, up to the stop
    written = source.writer.stop()
    assert written > 80
    drained = h.run_module("metastore_sync", sync_args(source, target, dump, tmp_path, mode="drain"))
    assert drained["_rc"] == 0, drained.get("msg")
    assert drained["applied_transactions"] > 0
    assert drained["applied_lsn"] is not None and drained["drain_lsn"] is not None
    assert full_difference(source, target) == {}
    assert applied_transactions(target) == source_transactions(source, dump["consistent_point"])
    assert "rows_per_second=" in (tmp_path / "sync.log").read_text()
    touched = h.query(
        target.url, "SELECT DISTINCT table_name FROM airflow_ops.sync_touched WHERE slot = %s", (SLOT,)
    )
    assert {"dag_run", "task_instance", "log", "variable"} <= {row[0] for row in touched}
    again = h.run_module("metastore_sync", sync_args(source, target, dump, tmp_path, mode="drain"))
    assert again["_rc"] == 0 and again["changed"] is False and again["applied_transactions"] == 0
    cutover_checks(source, target, dump, tmp_path)


def cutover_checks(source, target, dump, tmp_path):
    """mode=verify fails on sequences the stream did not carry, mode=sequences sets them, then verify passes;
    a row changed on the target alone is named by verify."""
    behind = h.run_module("metastore_sync", sync_args(source, target, dump, tmp_path, mode="verify"))
    assert behind["_rc"] == 1 and "sequence public.dag_run_id_seq" in behind["msg"], behind.get("msg")
    sequences = h.run_module("metastore_sync", sync_args(source, target, dump, tmp_path, mode="sequences"))
    assert sequences["_rc"] == 0 and sequences["changed"] is True
    assert "dag_run_id_seq" in {s["name"] for s in sequences["sequences"]}
    verified = h.run_module("metastore_sync", sync_args(source, target, dump, tmp_path, mode="verify"))
    assert verified["_rc"] == 0, verified.get("msg")
    assert verified["differences"] == [] and verified["touched_rows"] > 0
    by_name = {t["name"]: t for t in verified["tables"]}
    assert by_name["task_instance"]["touched_rows"] > 0 and by_name["task_instance"]["mismatched"] == 0
    touched = h.query(
        target.url, "SELECT min(key_text) FROM airflow_ops.sync_touched WHERE table_name = 'variable'"
    )[0][0]
    h.query(
        target.url,
        "UPDATE variable SET val = 'changed on the target' WHERE id = %s",
        (json.loads(touched)[0],),
    )
    tampered = h.run_module("metastore_sync", sync_args(source, target, dump, tmp_path, mode="verify"))
    assert tampered["_rc"] == 1 and "public.variable: 1 mismatched" in tampered["msg"], tampered.get("msg")
    h.query(source.url, "UPDATE alembic_version SET version_num = 'f00dfeed0001'")  # an upgrade mid-sync
    upgraded = h.run_module(
        "metastore_sync",
        sync_args(source, target, dump, tmp_path, mode="verify", alembic_revision=dump["alembic_revision"]),
    )
    assert upgraded["_rc"] == 1 and "cutover is refused" in upgraded["msg"], upgraded.get("msg")


def _kill_after(args, delay):
    proc = h.start_module("metastore_sync", args)
    time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    os.unlink(proc.args_file)
    return proc.returncode


def test_kill_9_at_random_points_loses_nothing_and_applies_nothing_twice(source, pg_target, tmp_path):
    """kill -9 of the applier 14 times at random moments: with the writer running (small batches over a
    backlog, so most kills land inside a target transaction, others between batches), and during the drain.

    Proves: after every kill the next run resumes from the target's state; the final target equals the
    source (independent comparison) and holds each source transaction exactly once (the observer's count
    equals sync_state.transactions). Does not prove: which exact statement each kill interrupted (the
    moments are random, seeded; the kills are at real moments of a real process, not at injected points).
    """
    chooser = random.Random(20261202)
    source.writer.start()
    dump = dump_and_load(source, pg_target, tmp_path)
    time.sleep(2.0)  # a backlog for the first runs
    args = sync_args(
        source,
        pg_target,
        dump,
        tmp_path,
        batch_rows=5,
        batch_seconds=0.05,
        max_lag_bytes=0,
        max_lag_seconds=0,
    )
    codes = [_kill_after(args, chooser.uniform(0.4, 2.5)) for _index in range(10)]
    source.writer.stop()
    time.sleep(0.5)
    drain = dict(args, mode="drain")
    codes += [_kill_after(drain, chooser.uniform(0.3, 1.2)) for _index in range(4)]
    assert codes.count(-signal.SIGKILL) >= 10, codes  # killed, not finished on their own
    final = h.run_module("metastore_sync", drain)
    assert final["_rc"] == 0, final.get("msg")
    assert full_difference(source, pg_target) == {}
    assert applied_transactions(pg_target) == source_transactions(source, dump["consistent_point"])
    assert (
        h.query(source.url, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s", (SLOT,))[0][0]
        == 1
    )


def _wait_for_line(path, text, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return
        if proc.poll() is not None:
            raise AssertionError(
                f"the sync ended (rc={proc.returncode}) before '{text}': {proc.stdout.read()}"
            )
        time.sleep(0.1)
    raise AssertionError(f"no '{text}' in {path} within {timeout} s")


def _applied(target):
    """The target's applied transaction count, 0 before the sync created its state table."""
    try:
        rows = h.query(target.url, "SELECT transactions FROM airflow_ops.sync_state WHERE slot = %s", (SLOT,))
    except psycopg2.errors.UndefinedTable:
        return 0
    return rows[0][0] if rows else 0


def _wait_for_progress(target, after, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while _applied(target) <= after:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the sync applied nothing after {after} transactions (rc={proc.poll()})")
        time.sleep(0.1)


def test_dropped_target_and_replication_connections_are_resumed_and_the_slot_survives(
    source, pg_target, postgres_server, tmp_path
):
    """pg_terminate_backend of the applier's target session, then of its walsender on the source, while
    the writer runs.

    Proves: the same run reconnects each side (its progress log says so) and goes on applying (the target's
    state advances after each drop); the slot survives both; the drain then leaves the target equal to the
    source with every transaction once. Does not prove: a network cut that leaves the sockets open (TCP
    keepalive matters there), or a server restart.
    """
    source.writer.start()
    dump = dump_and_load(source, pg_target, tmp_path)
    log = tmp_path / "sync.log"
    args = sync_args(source, pg_target, dump, tmp_path, batch_rows=20, max_lag_bytes=0, max_lag_seconds=0)
    proc = h.start_module("metastore_sync", args)
    try:
        _wait_for_progress(pg_target, 0, proc)
        h.query(
            postgres_server.url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
            " AND pid <> pg_backend_pid()",
            (pg_target.name,),
        )
        _wait_for_line(log, "target connection lost", proc)
        _wait_for_progress(pg_target, _applied(pg_target), proc)
        terminated = h.query(
            source.url,
            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = %s"
            " AND active_pid IS NOT NULL",
            (SLOT,),
        )
        assert terminated == [(True,)]
        _wait_for_line(log, "source replication connection lost", proc)
        _wait_for_progress(pg_target, _applied(pg_target), proc)
        assert h.query(
            source.url, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s", (SLOT,)
        ) == [(1,)]
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        os.unlink(proc.args_file)
    source.writer.stop()
    drained = h.run_module("metastore_sync", dict(args, mode="drain"))
    assert drained["_rc"] == 0, drained.get("msg")
    assert full_difference(source, pg_target) == {}
    assert applied_transactions(pg_target) == source_transactions(source, dump["consistent_point"])


def test_second_sync_is_refused_while_a_slot_exists_and_drop_removes_slot_and_publication(source, tmp_path):
    """Proves: a second metastore_dump with a slot (same name or another airflow_ops_ one) is refused while
    our slot exists, naming it and the WAL it keeps, and creates nothing; check mode of drop changes
    nothing; drop removes the slot and the publication, is idempotent, and a new sync may start after it.
    Does not prove: RDS's rds_replication role (no RDS here)."""
    preflight = h.run_module(
        "metastore_dump", source.args(dump_dir=str(tmp_path / "a"), replication_slot=SLOT), check_mode=True
    )
    assert preflight["_rc"] == 0 and preflight["changed"] is True, preflight.get("msg")
    assert h.query(source.url, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s", (SLOT,)) == [
        (0,)
    ]
    first = h.run_module("metastore_dump", source.args(dump_dir=str(tmp_path / "a"), replication_slot=SLOT))
    assert first["_rc"] == 0, first.get("msg")
    for name in (SLOT, "airflow_ops_other"):
        second = h.run_module(
            "metastore_dump", source.args(dump_dir=str(tmp_path / name), replication_slot=name)
        )
        assert second["_rc"] == 1
        assert "already exists" in second["msg"] and SLOT in second["msg"] and "bytes of WAL" in second["msg"]
    slots = "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'airflow\\_ops\\_%' ORDER BY 1"
    publications = "SELECT pubname FROM pg_publication ORDER BY 1"
    assert h.query(source.url, slots) == [(SLOT,)]
    assert h.query(source.url, publications) == [(SLOT,)]
    drop_args = {"url": source.url, "source_url": source.url, "mode": "drop"}
    checked = h.run_module("metastore_sync", drop_args, check_mode=True)
    assert checked["_rc"] == 0 and checked["changed"] is True and checked["dropped"] == []
    assert h.query(source.url, slots) == [(SLOT,)]
    dropped = h.run_module("metastore_sync", drop_args)
    assert dropped["_rc"] == 0 and dropped["changed"] is True
    assert dropped["dropped"] == [f"slot {SLOT}", f"publication {SLOT}"] and dropped["slots"] == []
    assert h.query(source.url, slots) == [] and h.query(source.url, publications) == []
    again = h.run_module("metastore_sync", drop_args)
    assert again["_rc"] == 0 and again["changed"] is False
    restarted = h.run_module(
        "metastore_dump", source.args(dump_dir=str(tmp_path / "b"), replication_slot=SLOT)
    )
    assert restarted["_rc"] == 0, restarted.get("msg")


def _write(source, transactions=30):
    """Airflow's write pattern, ``transactions`` of it, in this thread."""
    for _index in range(transactions):
        source.writer.step()


def test_a_new_attempt_replacing_an_earlier_one_on_the_target_starts_its_sync_afresh(
    source, pg_target, tmp_path
):
    """An attempt that synced and then was rolled back (its slot dropped), then a new dump loaded with
    if_exists=replace into the same target, as the migrate role does: the new catch-up starts from the new
    dump's consistent point. Proves: the replacing load drops the earlier sync's state with the rows it
    described (without that, catch_up refused: "left from an earlier sync"), and the new sync loses
    nothing (independent byte comparison). Does not prove: the same on CockroachDB (no cluster here)."""
    first = dump_and_load(source, pg_target, tmp_path / "first")
    _write(source)
    synced = h.run_module("metastore_sync", sync_args(source, pg_target, first, tmp_path, mode="drain"))
    assert synced["_rc"] == 0 and synced["applied_transactions"] > 0, synced.get("msg")
    dropped = h.run_module("metastore_sync", {"url": source.url, "source_url": source.url, "mode": "drop"})
    assert dropped["_rc"] == 0, dropped.get("msg")
    _write(source)  # the source moves on while nothing syncs
    second = dump_and_load(source, pg_target, tmp_path / "second", if_exists="replace")
    _write(source)
    drained = h.run_module("metastore_sync", sync_args(source, pg_target, second, tmp_path, mode="drain"))
    assert drained["_rc"] == 0, drained.get("msg")
    assert drained["applied_transactions"] > 0
    assert full_difference(source, pg_target) == {}


def test_a_source_without_logical_decoding_is_refused_with_what_to_fix(
    postgres_server, pg_database, tmp_path
):
    """Proves: on a server with wal_level=replica the slot dump fails before creating anything, saying to set
    wal_level = logical; a slot name without our prefix is refused. Does not prove: the other
    prerequisites' messages (free slots, WAL senders, REPLICATION) on a real server lacking them."""
    args = h.conn_args(postgres_server, pg_database, dump_dir=str(tmp_path / "d"), replication_slot=SLOT)
    preflight = h.run_module("metastore_dump", args, check_mode=True)  # the role's preflight: same checks
    assert preflight["_rc"] == 1 and "wal_level = logical" in preflight["msg"]
    refused = h.run_module("metastore_dump", args)
    assert (
        refused["_rc"] == 1
        and "wal_level = logical" in refused["msg"]
        and "Nothing was changed" in refused["msg"]
    )
    assert not (tmp_path / "d").exists()
    named = h.run_module("metastore_dump", dict(args, replication_slot="my_slot"))
    assert named["_rc"] == 1 and "airflow_ops_" in named["msg"]


def test_sync_without_a_slot_says_to_dump_with_one_first(source, pg_target):
    """Proves: metastore_sync against a source without our slot fails with the step to run first."""
    result = h.run_module("metastore_sync", {"url": pg_target.url, "source_url": source.url})
    assert result["_rc"] == 1 and "replication_slot=airflow_ops_sync" in result["msg"]
    assert source.url.split("@")[0].split(":")[-1] not in result["msg"]  # the password is not in it


def test_check_mode_and_status_apply_nothing(source, pg_target, tmp_path):
    """Proves: check mode and mode=status report the position and the slots but apply nothing."""
    dump = dump_and_load(source, pg_target, tmp_path)
    h.query(source.url, "INSERT INTO log (dttm, event) VALUES (now(), 'after the dump')")
    for extra, check in (({}, True), ({"mode": "status"}, False)):
        result = h.run_module(
            "metastore_sync", sync_args(source, pg_target, dump, tmp_path, **extra), check_mode=check
        )
        assert result["_rc"] == 0, result.get("msg")
        assert result["changed"] is False and result["lag_bytes"] > 0 and result["slots"][0]["name"] == SLOT
    assert h.query(pg_target.url, "SELECT count(*) FROM log WHERE event = 'after the dump'") == [(0,)]
