"""Row-level verification against a real PostgreSQL: one tampered row in one table is found and named by its
primary key (missing, mismatched, extraneous), against a live source and against a dump; text keys are
walked in the same order whatever the databases' collations; memory stays bounded by the batch; the live
re-check drops rows that were only in flight.

What this proves and what not: both sides here are PostgreSQL 15 (the only server that runs here). The
CockroachDB side's differences in printed text (JSONB layout, time zone, bytea format) are reproduced with
PostgreSQL session settings and a JSONB round trip; CockroachDB's own ORDER BY on STRING keys (bytewise, as
its docs state) is not exercised. test_metastore_verify.py's cockroachdb-marked test runs the module
against a real cluster when AIRFLOW_OPS_TEST_CRDB_URL is set.
"""

from __future__ import annotations

import tracemalloc
import uuid

import psycopg2
import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump import dumper
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.verify import verifier

from tests.integration import metastore_helpers as h

pytestmark = pytest.mark.integration

TAMPER = {
    # kind: (statement on the target, table, key reported)
    "missing": ("DELETE FROM task_instance WHERE id = 7", "public.task_instance", [7]),
    "mismatched": ("UPDATE task_instance SET note = 'tampered' WHERE id = 3", "public.task_instance", [3]),
    "extraneous": (
        "INSERT INTO task_instance (id, dag_run_id, task_id) SELECT 999999, dag_run_id, 'stray'"
        " FROM task_instance WHERE id = 1",
        "public.task_instance",
        [999999],
    ),
    "mismatched-text-key": (
        "UPDATE dag SET owners = 'mallory' WHERE dag_id = 'dag_4_ß'",
        "public.dag",
        ["dag_4_ß"],
    ),
}


def verify(server, dbname, loaded, mode, **extra):
    source, path = loaded
    if mode == "source":
        extra["source_url"] = server.url_for(source)
    else:
        extra["dump_dir"] = str(path)
    return h.run_module("metastore_verify", h.conn_args(server, dbname, **extra))


@pytest.mark.parametrize("mode", ["source", "dump"])
@pytest.mark.parametrize("kind", sorted(TAMPER))
def test_one_tampered_row_is_named_by_its_primary_key(postgres_server, loaded, target, mode, kind):
    statement, table, key = TAMPER[kind]
    h.query(postgres_server.url_for(target), statement)
    result = verify(postgres_server, target, loaded, mode)
    assert result["_rc"] != 0
    assert result["differing_tables"] == [table]
    found = kind.split("-")[0]
    expected_counts = {k: int(k == found) for k in ("missing", "mismatched", "extraneous")}
    assert result["row_differences"] == [{"table": table, **expected_counts}]
    entry = next(t for t in result["tables"] if f"{t['schema']}.{t['name']}" == table)
    assert entry["rows"][f"{found}_keys"] == [key]
    assert str(key) in result["msg"] and found in result["msg"]
    others = [t for t in result["tables"] if f"{t['schema']}.{t['name']}" != table]
    assert others and all(t["status"] == "equal" for t in others)


def test_equal_content_printed_differently_reports_no_rows(postgres_server, loaded, target):
    """JSONB layout, another time zone and bytea format on the target: no row reported, both modes."""
    url = postgres_server.url_for(target)
    h.query(url, "UPDATE dag_run SET conf = (conf::jsonb)::text::json WHERE conf IS NOT NULL")
    h.query(postgres_server.url, f"ALTER DATABASE \"{target}\" SET timezone = 'Asia/Kolkata'")
    h.query(postgres_server.url, f"ALTER DATABASE \"{target}\" SET bytea_output = 'escape'")
    h.query(postgres_server.url, f'ALTER DATABASE "{target}" SET extra_float_digits = 0')
    for mode in ("source", "dump"):
        result = verify(postgres_server, target, loaded, mode, batch_rows=7)
        assert result["_rc"] == 0, result.get("msg")
        assert result["row_differences"] == []


def test_many_differences_are_counted_in_full_and_listed_up_to_report_keys(postgres_server, loaded, target):
    h.query(postgres_server.url_for(target), "DELETE FROM task_instance WHERE id % 2 = 0")
    result = verify(postgres_server, target, loaded, "source", batch_rows=9, report_keys=3)
    entry = next(t for t in result["tables"] if t["name"] == "task_instance")
    assert entry["rows"]["missing"] == entry["expected_rows"] // 2
    assert entry["rows"]["missing_keys"] == [[2], [4], [6]]
    assert entry["actual_rows"] == entry["expected_rows"] - entry["rows"]["missing"]


def test_text_keys_are_walked_bytewise_whatever_the_source_collation(postgres_server, pg_database):
    """A source database that sorts text by ICU en-US (as many PostgreSQL servers do) and a C target: a
    walk in each server's own order would pair the wrong keys and report rows that are equal."""
    source = f"icu_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(postgres_server.url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(
            f"CREATE DATABASE \"{source}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
            " LOCALE 'C.UTF-8'"
        )
    admin.close()
    try:
        keys = ["a", "B", "_c", "Z", "é", "e", "aa", "A-1", "a1"]
        for db in (source, pg_database):
            url = postgres_server.url_for(db)
            h.query(url, "CREATE TABLE k (name varchar(20) PRIMARY KEY, v int)")
            h.query(url, "INSERT INTO k SELECT unnest(%s::text[]), 1", (keys,))
        ordered = [r[0] for r in h.query(postgres_server.url_for(source), "SELECT name FROM k ORDER BY name")]
        assert ordered != sorted(keys)  # the source's own order is not bytewise
        result = h.run_module(
            "metastore_verify",
            h.conn_args(
                postgres_server, pg_database, source_url=postgres_server.url_for(source), batch_rows=2
            ),
        )
        assert result["_rc"] == 0, result.get("msg")
        h.query(postgres_server.url_for(pg_database), "UPDATE k SET v = 2 WHERE name = 'Z'")
        result = h.run_module(
            "metastore_verify",
            h.conn_args(
                postgres_server, pg_database, source_url=postgres_server.url_for(source), batch_rows=2
            ),
        )
        assert result["row_differences"] == [
            {"table": "public.k", "missing": 0, "mismatched": 1, "extraneous": 0}
        ]
    finally:
        h.drop_database(postgres_server, source)


def _big_table(url, rows):
    h.query(url, "CREATE TABLE big (id int PRIMARY KEY, payload text, at timestamptz, doc jsonb)")
    h.query(
        url,
        "INSERT INTO big SELECT i, repeat(md5(i::text), 8),"
        " timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second',"
        " jsonb_build_object('i', i, 'k', 'v')"
        " FROM generate_series(1, %s) i",
        (rows,),
    )


def _peak_bytes(source_url, target_url, batch_rows):
    source, target = psycopg2.connect(source_url), psycopg2.connect(target_url)
    try:
        tracemalloc.start()
        report = verifier.verify_rows_against_source(
            source,
            target,
            lambda cur: (dumper.describe_tables(cur, None, False), dumper.list_sequences(cur)),
            options=verifier.RowOptions(batch_rows=batch_rows),
        )
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        source.close()
        target.close()
    return peak, report


def test_memory_is_bounded_by_the_batch_not_the_table(postgres_server, pg_database):
    """Measured with tracemalloc: verifying 20,000 rows in batches of 200 peaks far below doing it in one
    batch of 20,000, so what the walk holds grows with the batch, not with the table."""
    source = f"big_{uuid.uuid4().hex[:8]}"
    h.create_database(postgres_server, source)
    try:
        for db in (source, pg_database):
            _big_table(postgres_server.url_for(db), 20000)
        h.query(postgres_server.url_for(pg_database), "UPDATE big SET payload = 'x' WHERE id = 15000")
        urls = postgres_server.url_for(source), postgres_server.url_for(pg_database)
        small, report = _peak_bytes(*urls, batch_rows=200)
        whole, _unused = _peak_bytes(*urls, batch_rows=20000)
        assert report["row_differences"] == [
            {"table": "public.big", "missing": 0, "mismatched": 1, "extraneous": 0}
        ]
        assert report["tables"][0]["rows"]["mismatched_keys"] == [[15000]]
        assert small * 10 < whole, (small, whole)
    finally:
        h.drop_database(postgres_server, source)


def test_dump_data_file_is_sorted_in_bounded_runs(postgres_server, pg_database, tmp_path):
    """The dump side of a differing table comes from its data file, sorted in runs of batch_rows rows:
    the peak grows with the batch, not with the file."""
    source = f"bigd_{uuid.uuid4().hex[:8]}"
    h.create_database(postgres_server, source)
    try:
        _big_table(postgres_server.url_for(source), 20000)
        dump = tmp_path / "dump"
        assert (
            h.run_module("metastore_dump", h.conn_args(postgres_server, source, dump_dir=str(dump)))["_rc"]
            == 0
        )
        from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import manifest as mf

        manifest = mf.load(str(dump))
        _big_table(postgres_server.url_for(pg_database), 20000)
        h.query(postgres_server.url_for(pg_database), "DELETE FROM big WHERE id = 19999")
        peaks = {}
        for batch in (200, 20000):
            conn = psycopg2.connect(postgres_server.url_for(pg_database))
            try:
                report = verifier.verify_target(conn, manifest["tables"], manifest["sequences"])
                tracemalloc.start()
                verifier.verify_rows_against_dump(
                    conn, report, manifest["tables"], str(dump), verifier.RowOptions(batch_rows=batch)
                )
                peaks[batch] = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            finally:
                conn.close()
            assert report["row_differences"] == [
                {"table": "public.big", "missing": 1, "mismatched": 0, "extraneous": 0}
            ]
        assert peaks[200] * 10 < peaks[20000], peaks
    finally:
        h.drop_database(postgres_server, source)


def test_live_recheck_drops_rows_that_caught_up_and_keeps_the_others(postgres_server, loaded, target):
    """The target lags by two rows; during the re-check pause one catches up (a real write on the target,
    done by the pause itself), so only the other is reported, marked as re-checked."""
    source, _unused = loaded
    target_url = postgres_server.url_for(target)
    h.query(target_url, "UPDATE task_instance SET note = 'lagging' WHERE id IN (3, 5)")
    original = h.query(postgres_server.url_for(source), "SELECT note FROM task_instance WHERE id = 3")[0][0]

    def writer_catches_up(_seconds):
        h.query(target_url, "UPDATE task_instance SET note = %s WHERE id = 3", (original,))

    conns = psycopg2.connect(postgres_server.url_for(source)), psycopg2.connect(target_url)
    try:
        report = verifier.verify_rows_against_source(
            *conns,
            lambda cur: (dumper.describe_tables(cur, None, False), dumper.list_sequences(cur)),
            ("airflow_ops",),
            verifier.RowOptions(recheck_delay=0.01, sleep=writer_catches_up),
        )
    finally:
        for conn in conns:
            conn.close()
    entry = next(t for t in report["tables"] if t["name"] == "task_instance")
    assert entry["rows"]["mismatched_keys"] == [[5]] and entry["rows"]["rechecked"] is True
    assert report["row_differences"] == [
        {"table": "public.task_instance", "missing": 0, "mismatched": 1, "extraneous": 0}
    ]


def test_recheck_delay_runs_through_the_module_and_needs_a_live_source(postgres_server, loaded, target):
    h.query(postgres_server.url_for(target), "DELETE FROM log WHERE id = 1")
    result = verify(postgres_server, target, loaded, "source", recheck_delay=0.5)
    entry = next(t for t in result["tables"] if t["name"] == "log")
    assert entry["rows"]["missing_keys"] == [[1]] and entry["rows"]["rechecked"] is True
    refused = verify(postgres_server, target, loaded, "dump", recheck_delay=1)
    assert refused["_rc"] != 0 and "source_url" in refused["msg"]


def test_row_level_false_keeps_the_table_level_report(postgres_server, loaded, target):
    h.query(postgres_server.url_for(target), "DELETE FROM task_instance WHERE id = 7")
    for mode in ("source", "dump"):
        result = verify(postgres_server, target, loaded, mode, row_level=False)
        assert result["differing_tables"] == ["public.task_instance"]
        assert result["row_differences"] == [] and all(t["rows"] is None for t in result["tables"])


def test_only_the_rows_of_given_keys_are_compared(postgres_server, loaded, target):
    """What the online migration does with the rows it touched: compare just those keys on both sides."""
    source, _unused = loaded
    target_url = postgres_server.url_for(target)
    h.query(target_url, "UPDATE task_instance SET note = 'tampered' WHERE id IN (3, 9)")
    h.query(target_url, "DELETE FROM task_instance WHERE id = 4")
    conns = psycopg2.connect(postgres_server.url_for(source)), psycopg2.connect(target_url)
    try:
        with conns[0].cursor() as cur:
            table = next(t for t in dumper.describe_tables(cur, None, False) if t["name"] == "task_instance")
        rows = verifier.verify_rows_by_keys(*conns, table, [[3], [4], [5], [123456789]])
    finally:
        for conn in conns:
            conn.close()
    assert (rows["mismatched_keys"], rows["missing_keys"], rows["extraneous_keys"]) == ([[3]], [[4]], [])
