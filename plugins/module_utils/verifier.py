# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare a target database with a manifest (or a live source), table by table.

Counts and checksums are computed by row_checksum on both sides the same way, so a json column
that CockroachDB stores as JSONB (other key order and spacing), timestamps read in another time
zone, or bytea printed in another format still compare equal when the content is equal.
"""

from __future__ import annotations

from ansible_collections.airflow_ops.metastore.plugins.module_utils.row_checksum import (
    checksum_query,
    table_checksum,
)

try:
    import psycopg2
    import psycopg2.errors
    import psycopg2.extensions
    from psycopg2 import sql

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - reported by the modules with missing_required_lib()
    HAS_PSYCOPG2 = False

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "crdb_internal", "pg_extension")


def user_objects(cur, exclude_schemas=()):
    """Tables, views and sequences in user schemas, via information_schema (PostgreSQL and CockroachDB)."""
    excluded = list(SYSTEM_SCHEMAS) + list(exclude_schemas)
    cur.execute(
        "SELECT table_schema, table_name, table_type FROM information_schema.tables"
        " WHERE table_schema <> ALL(%s) AND table_schema NOT LIKE 'pg\\_toast%%'"
        " AND table_schema NOT LIKE 'pg\\_temp%%'"
        " UNION ALL SELECT sequence_schema, sequence_name, 'SEQUENCE' FROM information_schema.sequences"
        " WHERE sequence_schema <> ALL(%s) ORDER BY 1, 2",
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
