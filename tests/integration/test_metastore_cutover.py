"""The online migration's cutover checks on real servers: metastore_verify touched_slot, metastore_sequences.

The source is a real PostgreSQL 15 with ``wal_level=logical``; the target the session's PostgreSQL, or a
real CockroachDB cluster with AIRFLOW_OPS_TEST_CRDB_URL (the same tests, skipping with that reason
otherwise). The source, the target, the dump+load and the sync arguments are test_metastore_sync.py's
fixtures and helpers (used here, not copied): a golden Airflow 3.3.2 metastore changed by
tests/support/airflow_writer.py while it is dumped, loaded and streamed by metastore_sync.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.integration import metastore_helpers as h
from tests.integration import test_metastore_sync as sync_test

pytestmark = pytest.mark.integration

# The sync tests' fixtures, registered in this module too (pytest finds fixtures by module attribute).
logical_source = sync_test.logical_source
source = sync_test.source
target = sync_test.target


@pytest.fixture
def synced(source, target, tmp_path):
    """The writer runs through dump, load and catch-up, then stops; the sync drains to the source's end."""
    source.writer.start()
    time.sleep(1.0)
    dump = sync_test.dump_and_load(source, target, tmp_path)
    caught_up = h.run_module("metastore_sync", sync_test.sync_args(source, target, dump, tmp_path))
    assert caught_up["_rc"] == 0, caught_up.get("msg")
    time.sleep(1.0)
    assert source.writer.stop() > 40
    drained = h.run_module(
        "metastore_sync", sync_test.sync_args(source, target, dump, tmp_path, mode="drain")
    )
    assert drained["_rc"] == 0, drained.get("msg")
    return source, target


def verify(source, target):
    return h.run_module(
        "metastore_verify", {"url": target.url, "source_url": source.url, "touched_slot": sync_test.SLOT}
    )


def sequences(source, target, check_mode=False):
    return h.run_module(
        "metastore_sequences", {"url": target.url, "source_url": source.url}, check_mode=check_mode
    )


def by_table(report, name):
    return next(t for t in report["tables"] if t["name"] == name)


def touched_key(target, table, present=True):
    """A key the sync touched in ``table`` whose row is on the target (the largest such id)."""
    rows = h.query(
        target.url,
        "SELECT key_text FROM airflow_ops.sync_touched WHERE slot = %s AND table_name = %s",
        (sync_test.SLOT, table),
    )
    ids = sorted(json.loads(row[0])[0] for row in rows)
    for key in reversed(ids):
        if bool(h.query(target.url, f"SELECT count(*) FROM {table} WHERE id = %s", (key,))[0][0]) == present:
            return int(key)
    raise AssertionError(f"no touched {table} row (present={present}) on the target")


def test_cutover_verify_passes_after_a_drained_sync_and_names_each_difference(synced):
    """After a sync with the writer, drained, and metastore_sequences: the cutover verify passes, having
    compared the rows the sync touched. Then, one at a time on the target: a touched row changed, a touched
    row deleted, a row only on the target (a count), a sequence moved back, a table only on the target, a
    table dropped; each is reported by table (and key where there is one) and fails the module.

    Proves: (a) counts, (b) the touched rows by primary key (typed from sync_touched's texts: an untyped
    key would match no row and pass every corruption), (c) sequences by next value, extra and missing
    tables; the failure says what to do. Does not prove: a difference in a row the sync did not touch and
    that keeps the count (by design the cutover compares only those; the full row-level metastore_verify
    covers the rest before the stop), nor timings (bench/).
    """
    source, target = synced
    behind = verify(source, target)
    assert behind["_rc"] == 1 and "run metastore_sequences first" in behind["msg"], behind.get("msg")
    assert "dag_run_id_seq" in {s["name"] for s in behind["sequences_behind"]}
    assert sequences(source, target)["_rc"] == 0

    passed = verify(source, target)
    assert passed["_rc"] == 0, passed.get("msg")
    assert passed["differing_tables"] == [] and passed["sequences_behind"] == []
    assert passed["touched_rows"] > 0 and by_table(passed, "task_instance")["rows"]["touched"] > 0
    assert len(passed["tables"]) == 58 and passed["extra_objects"] == []

    variable_id = touched_key(target, "variable")
    h.query(target.url, "UPDATE variable SET val = 'changed on the target' WHERE id = %s", (variable_id,))
    changed = verify(source, target)
    assert changed["_rc"] == 1 and changed["differing_tables"] == ["public.variable"], changed.get("msg")
    assert by_table(changed, "variable")["rows"]["mismatched_keys"] == [[variable_id]]
    assert f"public.variable: 1 mismatched (first [[{variable_id}]])" in changed["msg"]

    log_id = touched_key(target, "log")
    h.query(target.url, "DELETE FROM log WHERE id = %s", (log_id,))
    deleted = verify(source, target)
    log = by_table(deleted, "log")
    assert deleted["_rc"] == 1 and log["rows"]["missing_keys"] == [[log_id]], deleted.get("msg")
    assert log["actual_rows"] == log["expected_rows"] - 1 and "public.log" in deleted["msg"]

    h.query(target.url, "INSERT INTO dag_bundle (name) VALUES ('only on the target')")
    counted = verify(source, target)
    bundle = by_table(counted, "dag_bundle")
    assert counted["_rc"] == 1 and bundle["status"] == "differs", counted.get("msg")
    assert bundle["actual_rows"] == bundle["expected_rows"] + 1 and bundle["rows"]["touched"] == 0
    assert "public.dag_bundle (differs" in counted["msg"]

    h.query(target.url, "SELECT setval('log_id_seq', 1)")
    moved_back = verify(source, target)
    assert moved_back["_rc"] == 1 and "public.log_id_seq" in moved_back["msg"]
    assert [s["name"] for s in moved_back["sequences_behind"]] == ["log_id_seq"]

    h.query(target.url, "CREATE TABLE public.only_on_target (id int PRIMARY KEY)")
    extra = verify(source, target)
    assert extra["_rc"] == 1 and extra["extra_objects"] == ["public.only_on_target"], extra.get("msg")
    assert "only on the target: public.only_on_target" in extra["msg"]

    h.query(target.url, "DROP TABLE public.log")
    dropped = verify(source, target)
    assert dropped["_rc"] == 1 and by_table(dropped, "log")["status"] == "missing", dropped.get("msg")
    assert "public.log (missing" in dropped["msg"] and "drain again" in dropped["msg"]


def test_metastore_sequences_moves_target_sequences_up_never_down_and_check_mode_changes_nothing(
    source, target, tmp_path
):
    """The source hands out ids after the dump (new rows); one target sequence is set ahead of the source.

    Proves: check mode reports the sequences that are behind and changes nothing; the run moves exactly
    those up to the source's next value (the next insert on the target gets the source's next id), leaves
    the one ahead where it is and the equal ones untouched, gives before/after in diff mode, and a second run
    reports no change. Does not prove: sequences changing while it runs (the writers are stopped first).
    """
    sync_test.dump_and_load(source, target, tmp_path)
    for _index in range(5):
        source.writer.log()
        source.writer.new_run()
    h.query(target.url, "SELECT setval('variable_id_seq', 1000)")
    source_next = h.query(source.url, "SELECT last_value + 1 FROM log_id_seq")[0][0]
    target_before = h.query(target.url, "SELECT last_value FROM log_id_seq")[0][0]
    assert target_before + 1 < source_next

    checked = sequences(source, target, check_mode=True)
    assert checked["_rc"] == 0 and checked["changed"] is True, checked.get("msg")
    assert {"public.log_id_seq", "public.dag_run_id_seq"} <= set(checked["changed_sequences"])
    assert h.query(target.url, "SELECT last_value FROM log_id_seq")[0][0] == target_before

    applied = h.run_module("metastore_sequences", {"url": target.url, "source_url": source.url}, diff=True)
    assert applied["_rc"] == 0 and applied["changed"] is True, applied.get("msg")
    assert applied["changed_sequences"] == checked["changed_sequences"]
    entries = {s["name"]: s for s in applied["sequences"]}
    assert entries["log_id_seq"]["after_next_value"] == source_next
    ahead = entries["variable_id_seq"]
    assert ahead["changed"] is False and ahead["before_next_value"] > ahead["source_next_value"]
    assert f"public.log_id_seq: next value {source_next}" in applied["diff"]["after"]
    assert h.query(target.url, "SELECT nextval('log_id_seq')")[0][0] == source_next
    assert h.query(target.url, "SELECT last_value FROM variable_id_seq")[0][0] == 1000  # not moved down

    again = sequences(source, target)
    assert again["_rc"] == 0 and again["changed"] is False and again["changed_sequences"] == []
