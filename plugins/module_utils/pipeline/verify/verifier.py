# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare a target database with a manifest (or a live source), table by table.

Counts and checksums are computed by row_checksum on both sides the same way, so a json column
that CockroachDB stores as JSONB (other key order and spacing), timestamps read in another time
zone, or bytea printed in another format still compare equal when the content is equal.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable

from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.row_checksum import (
    checksum_query,
    table_checksum,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync import (
    sync_apply,
    sync_sequences,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.verify import row_compare

try:
    import psycopg2
    import psycopg2.errors
    import psycopg2.extensions
    from psycopg2 import sql

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - reported by the modules with missing_required_lib()
    HAS_PSYCOPG2 = False


def user_objects(cur, exclude_schemas=()):
    """Tables, views and sequences in user schemas, via information_schema (PostgreSQL and CockroachDB)."""
    excluded = list(exclude_schemas) or [""]
    cur.execute(
        "SELECT table_schema, table_name, table_type FROM information_schema.tables"
        f" WHERE {catalog.system_schema_filter('table_schema')} AND table_schema <> ALL(%s)"
        " UNION ALL SELECT sequence_schema, sequence_name, 'SEQUENCE' FROM information_schema.sequences"
        f" WHERE {catalog.system_schema_filter('sequence_schema')} AND sequence_schema <> ALL(%s)"
        " ORDER BY 1, 2",
        (excluded, excluded),
    )
    return [{"schema": s, "name": n, "kind": k} for s, n, k in cur.fetchall()]


def measure_table(conn, schema, name, columns, index=0):
    """(row_count, checksum) of a table on ``conn``, or (None, reason) if it cannot be read."""
    query, json_columns = checksum_query(schema, name, columns)
    savepoint = f"airflow_ops_verify_{index}"
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SAVEPOINT {}").format(sql.Identifier(savepoint)))
    try:
        return table_checksum(conn, query, json_columns, name=f"airflow_ops_verify_c{index}")
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.UndefinedColumn) as exc:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("ROLLBACK TO SAVEPOINT {}").format(sql.Identifier(savepoint)))
        return None, str(exc).strip().splitlines()[0]


def sequence_value(conn, schema, name):
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT last_value FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
        )
        return int(cur.fetchone()[0])


def compare_tables(expected, measured):
    """Pure comparison: one result row per expected table, with ``status`` equal/differs/missing."""
    results = []
    for table in expected:
        key = (table["schema"], table["name"])
        count, checksum = measured.get(key, (None, "not measured"))
        if count is None:
            status = "missing"
        elif count == table["row_count"] and checksum == table["checksum"]:
            status = "equal"
        else:
            status = "differs"
        results.append(
            {
                "schema": table["schema"],
                "name": table["name"],
                "expected_rows": table["row_count"],
                "actual_rows": count,
                "checksum_match": checksum == table["checksum"],
                "status": status,
                "problem": checksum if count is None else None,
            }
        )
    return results


def compare_sequences(expected, actual):
    """Sequences on the target behind the dumped value would hand out ids that already exist."""
    behind = []
    for seq in expected:
        value = actual.get((seq["schema"], seq["name"]))
        if value is None or value < seq["value"]:
            behind.append(
                {"schema": seq["schema"], "name": seq["name"], "expected": seq["value"], "actual": value}
            )
    return behind


def verify_target(conn, manifest_tables, manifest_sequences, ignore_schemas=()):
    """Measure the target in one read-only transaction and compare it with the expected tables."""
    conn.rollback()
    previous_isolation = conn.isolation_level
    # One snapshot for every table (CockroachDB runs it as SERIALIZABLE, which is as strict).
    conn.isolation_level = psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ
    try:
        return _verify_in_snapshot(conn, manifest_tables, manifest_sequences, ignore_schemas)
    finally:
        conn.rollback()
        conn.isolation_level = previous_isolation


def _verify_in_snapshot(conn, manifest_tables, manifest_sequences, ignore_schemas):
    with conn.cursor() as cur:
        present = user_objects(cur, ignore_schemas)
    names = {(o["schema"], o["name"]) for o in present}
    measured, actual_sequences = {}, {}
    for index, table in enumerate(manifest_tables):
        key = (table["schema"], table["name"])
        if key not in names:
            measured[key] = (None, "table does not exist on the target")
            continue
        measured[key] = measure_table(conn, table["schema"], table["name"], table["columns"], index)
    for seq in manifest_sequences:
        if (seq["schema"], seq["name"]) in names:
            actual_sequences[(seq["schema"], seq["name"])] = sequence_value(conn, seq["schema"], seq["name"])
    expected_names = {(t["schema"], t["name"]) for t in manifest_tables}
    expected_names |= {(s["schema"], s["name"]) for s in manifest_sequences}
    tables = compare_tables(manifest_tables, measured)
    return {
        "tables": tables,
        "differing_tables": [f"{t['schema']}.{t['name']}" for t in tables if t["status"] != "equal"],
        "sequences_behind": compare_sequences(manifest_sequences, actual_sequences),
        "extra_objects": [
            f"{o['schema']}.{o['name']}" for o in present if (o["schema"], o["name"]) not in expected_names
        ],
    }


def failure_message(report):
    parts = []
    if report["differing_tables"]:
        details = ", ".join(
            f"{t['schema']}.{t['name']} ({t['status']}: expected {t['expected_rows']} rows, "
            f"found {t['actual_rows'] if t['actual_rows'] is not None else t['problem']})"
            for t in report["tables"]
            if t["status"] != "equal"
        )
        parts.append(f"{len(report['differing_tables'])} table(s) differ: {details}")
    if report["sequences_behind"]:
        names = ", ".join(f"{s['schema']}.{s['name']}" for s in report["sequences_behind"])
        parts.append(f"sequences behind the dumped values: {names}")
    return "; ".join(parts)


# Row-level verification (row_compare): rows named by primary key as missing, mismatched or extraneous.


@dataclass(frozen=True)
class RowOptions:
    """How the row-level comparison runs (the module's batch_rows, report_keys, recheck_delay)."""

    batch_rows: int = row_compare.DEFAULT_BATCH_ROWS
    report_keys: int = row_compare.DEFAULT_REPORT_KEYS
    recheck_delay: float = 0.0
    recheck_limit: int = row_compare.DEFAULT_RECHECK_LIMIT
    work_dir: str | None = None
    sleep: Callable[[float], None] = time.sleep  # the pause before the re-check (a test's writer catches up)


def _row_entry(table, diff, problem=None, rechecked=False):
    rows = diff.as_dict()
    rows["rechecked"] = rechecked
    equal = diff.total == 0
    return {
        "schema": table["schema"],
        "name": table["name"],
        "expected_rows": diff.expected_rows,
        "actual_rows": diff.actual_rows,
        "checksum_match": equal,
        "status": "equal" if equal else "differs",
        "problem": problem,
        "rows": rows,
    }


def _row_snapshot(*conns):
    """Each connection in its own snapshot for the block, printing values as row_compare expects."""
    return catalog.read_snapshot(*conns, prepare=row_compare.prepare_session)


def verify_rows_against_source(source, target, describe_source, ignore_schemas=(), options=None):
    """Compare every table of a live source with the target row by row, each side in one snapshot.

    ``describe_source(cursor)`` returns the source's (tables, sequences) in the source's snapshot, as
    dumper.describe_tables (columns, primary_key; no checksums needed) and dumper.list_sequences do.
    Tables without a primary key are compared by row count and checksum (row_checksum) instead.
    """
    options = options or RowOptions()
    with _row_snapshot(source, target):
        with source.cursor() as cur:
            source_tables, source_sequences = describe_source(cur)
        with target.cursor() as cur:
            present = user_objects(cur, ignore_schemas)
        names = {(o["schema"], o["name"]) for o in present}
        source_collation = row_compare.needs_c_collation(source)
        target_collation = row_compare.needs_c_collation(target)
        tables, diffs = [], []
        for index, table in enumerate(source_tables):
            key = (table["schema"], table["name"])
            if key not in names:
                tables.append(_missing_entry(table, "table does not exist on the target"))
                continue
            if not table.get("primary_key"):
                tables.append(_checksum_entry(source, target, table, index))
                continue
            shape = _shape(table, target)
            diff = row_compare.TableDiff(options.report_keys, options.recheck_limit)
            problem = _walk(source, target, shape, diff, options, source_collation, target_collation, index)
            if problem:
                tables.append(_missing_entry(table, problem))
                continue
            tables.append(_row_entry(table, diff))
            diffs.append((len(tables) - 1, table, shape, diff))
        actual_sequences = {
            (s["schema"], s["name"]): sequence_value(target, s["schema"], s["name"])
            for s in source_sequences
            if (s["schema"], s["name"]) in names
        }
        source.rollback()
        target.rollback()
        if options.recheck_delay > 0:
            _recheck_all(source, target, tables, diffs, options)
    expected_names = {(t["schema"], t["name"]) for t in source_tables}
    expected_names |= {(s["schema"], s["name"]) for s in source_sequences}
    return _report(tables, compare_sequences(source_sequences, actual_sequences), present, expected_names)


def _report(tables, sequences_behind, present, expected_names):
    return {
        "tables": tables,
        "differing_tables": [f"{t['schema']}.{t['name']}" for t in tables if t["status"] != "equal"],
        "sequences_behind": sequences_behind,
        "extra_objects": [
            f"{o['schema']}.{o['name']}" for o in present if (o["schema"], o["name"]) not in expected_names
        ],
        "row_differences": row_differences(tables),
    }


def row_differences(tables):
    """Per differing table compared row by row: counts of missing, mismatched, extraneous rows."""
    out = []
    for t in tables:
        rows = t.get("rows")
        if rows and (rows["missing"] or rows["mismatched"] or rows["extraneous"]):
            counts = {kind: rows[kind] for kind in row_compare.TableDiff.KINDS}
            out.append({"table": f"{t['schema']}.{t['name']}", **counts})
    return out


def _shape(table, conn):
    shape = row_compare.TableShape(table["schema"], table["name"], table["columns"], table["primary_key"])
    return shape.bind(conn)


def _missing_entry(table, problem):
    return {
        "schema": table["schema"],
        "name": table["name"],
        "expected_rows": table.get("row_count"),
        "actual_rows": None,
        "checksum_match": False,
        "status": "missing",
        "problem": problem,
        "rows": None,
    }


def _checksum_entry(source, target, table, index):
    expected = measure_table(source, table["schema"], table["name"], table["columns"], f"s{index}")
    actual = measure_table(target, table["schema"], table["name"], table["columns"], f"t{index}")
    entry = compare_tables(
        [{**table, "row_count": expected[0], "checksum": expected[1]}],
        {(table["schema"], table["name"]): actual},
    )[0]
    entry["rows"] = None
    entry["problem"] = entry["problem"] or "no primary key: compared by row count and checksum"
    return entry


def _walk(source, target, shape, diff, options, source_collation, target_collation, index):
    """Walk one table on both sides; a reason when the target cannot be read (missing column), else None."""
    savepoint = sql.Identifier(f"airflow_ops_rows_{index}")
    with target.cursor() as cur:
        cur.execute(sql.SQL("SAVEPOINT {}").format(savepoint))
    expected = row_compare.database_batches(
        source, shape, options.batch_rows, source_collation, f"airflow_ops_rows_s{index}"
    )
    actual = row_compare.database_batches(
        target, shape, options.batch_rows, target_collation, f"airflow_ops_rows_t{index}"
    )
    try:
        row_compare.compare_sorted(expected, actual, diff, shape.same_content)
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.UndefinedColumn) as exc:
        expected.close()
        with target.cursor() as cur:
            cur.execute(sql.SQL("ROLLBACK TO SAVEPOINT {}").format(savepoint))
        return str(exc).strip().splitlines()[0]
    return None


def _recheck_all(source, target, tables, diffs, options):
    """Live re-check: re-read every differing row from both sides after the pause, once for all tables."""
    pending = [(i, t, shape, d) for i, t, shape, d in diffs if d.total]
    if not pending:
        return
    options.sleep(options.recheck_delay)
    for conn in (source, target):
        conn.rollback()
        conn.set_session(isolation_level="READ COMMITTED", readonly=True)
    for position, table, shape, diff in pending:
        settled = row_compare.recheck(source, target, shape, diff, 0)
        tables[position] = _row_entry(table, settled, rechecked=True)


def verify_rows_by_keys(source, target, table, keys, options=None):
    """Compare only the rows of ``keys`` (primary-key tuples) of one table, e.g. the rows a sync touched.

    ``table`` is a describe_tables entry (schema, name, columns, primary_key). Each side is read in its
    current transaction (call it in a new one to see the latest writes). Returns TableDiff.as_dict().
    """
    options = options or RowOptions()
    diff = row_compare.TableDiff(options.report_keys, options.recheck_limit)
    row_compare.compare_keys(source, target, _shape(table, target), [tuple(k) for k in keys], diff)
    return diff.as_dict()


def verify_rows_against_dump(conn, report, manifest_tables, dump_dir, options=None):
    """Name the rows of the tables ``report`` found differing, from the dump's data files (primary-key order).

    Runs after verify_target in a new snapshot of the target; adds ``rows`` to the differing tables that
    have a primary key and a data file. The data files are sorted outside memory (row_compare.file_batches).
    """
    options = options or RowOptions()
    by_name = {(t["schema"], t["name"]): t for t in manifest_tables}
    with _row_snapshot(conn):
        collation = row_compare.needs_c_collation(conn)
        for index, entry in enumerate(report["tables"]):
            entry.setdefault("rows", None)
            table = by_name.get((entry["schema"], entry["name"]))
            if entry["status"] != "differs" or not table or not table.get("primary_key"):
                continue
            path = os.path.join(dump_dir, table["file"])
            if not os.path.isfile(path):
                continue
            shape = _shape(table, conn)
            diff = row_compare.TableDiff(options.report_keys, options.recheck_limit)
            expected = row_compare.file_batches(path, shape, options.batch_rows, options.work_dir)
            actual = row_compare.database_batches(
                conn, shape, options.batch_rows, collation, f"airflow_ops_rows_{index}"
            )
            try:
                row_compare.compare_sorted(expected, actual, diff, shape.same_content)
            finally:
                expected.close()
            rows = diff.as_dict()
            rows["rechecked"] = False
            entry["rows"] = rows
    report["row_differences"] = row_differences(report["tables"])
    return report


def row_failure_details(report):
    """'public.task_instance: 1 missing (first [3]), ...' for the failure message."""
    parts = []
    for t in report.get("tables", []):
        rows = t.get("rows")
        if not rows:
            continue
        kinds = [
            f"{rows[kind]} {kind} (first {rows[kind + '_keys'][:3]})"
            for kind in row_compare.TableDiff.KINDS
            if rows[kind]
        ]
        if kinds:
            parts.append(f"{t['schema']}.{t['name']}: " + ", ".join(kinds))
    return "; ".join(parts)


# Cutover verification (writers stopped, sync drained): counts, the rows the sync touched, sequences.


def verify_touched_against_source(
    source, target, describe_source, slot, state_schema, ignore_schemas=(), options=None
):
    """Compare a live source with the target at the cutover, each side in one REPEATABLE READ snapshot.

    (a) every table's row count (tables missing on the target are ``missing``, extra ones are listed in
    ``extra_objects``); (b) every row listed in ``<state_schema>.sync_touched`` for ``slot`` on the target,
    by primary key with verify_rows_by_keys (a row deleted on the source must be absent on the target, a
    present one equal); (c) every sequence: the target's next value may not be behind the source's
    (sync_sequences.set_sequences sets them). Costs what the sync changed plus one count per table, not
    the database size. Returns the row-level report (tables with ``rows``, row_differences, ...), where
    each table's ``rows`` also holds ``touched`` (the keys compared).
    """
    options = options or RowOptions()
    with _row_snapshot(source, target):
        with source.cursor() as cur:
            source_tables, source_sequences = describe_source(cur)
            expected_counts = {(t["schema"], t["name"]): _row_count(cur, t) for t in source_tables}
            wanted = sync_sequences.positions(cur, [(s["schema"], s["name"]) for s in source_sequences])
        with target.cursor() as cur:
            present = user_objects(cur, ignore_schemas)
            touched = sync_apply.touched_keys(cur, state_schema, slot)
            have = sync_sequences.positions(cur, list(wanted))
        names = {(o["schema"], o["name"]) for o in present}
        tables = []
        for table in source_tables:
            key = (table["schema"], table["name"])
            if key not in names:
                tables.append(
                    _missing_entry({**table, "row_count": expected_counts[key]}, "not on the target")
                )
                continue
            with target.cursor() as cur:
                actual = _row_count(cur, table)
            shape = _shape(table, target)
            keys = [_typed_key(shape, texts) for texts in touched.get(key, [])]
            rows = verify_rows_by_keys(source, target, table, keys, options)
            tables.append(_touched_entry(table, expected_counts[key], actual, rows, len(keys)))
    sequences_behind = [
        {
            "schema": schema,
            "name": name,
            "expected": position.next_value,
            "actual": have[(schema, name)].next_value if (schema, name) in have else None,
        }
        for (schema, name), position in sorted(wanted.items())
        if (schema, name) not in have or sync_sequences.behind(position, have[(schema, name)])
    ]
    expected_names = {(t["schema"], t["name"]) for t in source_tables}
    expected_names |= {(s["schema"], s["name"]) for s in source_sequences}
    report = _report(tables, sequences_behind, present, expected_names)
    report["touched_rows"] = sum(len(v) for v in touched.values())
    return report


def _row_count(cur, table):
    cur.execute(
        sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(table["schema"]), sql.Identifier(table["name"])
        )
    )
    return int(cur.fetchone()[0])


def _typed_key(shape, key_texts):
    """A key as sync_touched holds it (the primary key's texts) -> as a database read returns it."""
    texts = [None] * len(shape.columns)
    for index, text in zip(shape.key_indexes, key_texts):  # noqa: B905 - hosts with Python < 3.10
        texts[index] = text
    return shape.key_of_texts(texts)


def _touched_entry(table, expected_rows, actual_rows, rows, touched):
    rows = dict(rows, rechecked=False, touched=touched)
    rows_equal = not any(rows[kind] for kind in row_compare.TableDiff.KINDS)
    counts_equal = expected_rows == actual_rows
    return {
        "schema": table["schema"],
        "name": table["name"],
        "expected_rows": expected_rows,
        "actual_rows": actual_rows,
        "checksum_match": rows_equal,
        "status": "equal" if rows_equal and counts_equal else "differs",
        "problem": None
        if counts_equal
        else f"{expected_rows} rows on the source, {actual_rows} on the target",
        "rows": rows,
    }


def cutover_failure_message(report):
    """What differs at the cutover, and what to do; empty when the target matches."""
    parts = [p for p in (failure_message(report), row_failure_details(report)) if p]
    if report["extra_objects"]:
        parts.append("tables or sequences only on the target: " + ", ".join(report["extra_objects"]))
    if not parts:
        return ""
    advice = (
        "Do not switch: check that every writer is stopped and drain again (metastore_sync mode=drain), "
        "then verify again; or roll back to the source"
    )
    if report["sequences_behind"]:
        advice += "; sequences behind: run metastore_sequences first"
    return "; ".join(parts) + ". " + advice
