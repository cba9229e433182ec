# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cutover's checks after the drain (writers stopped): touched rows, row counts, sequences; then setval.

- Every row the sync wrote (``sync_touched`` on the target) is compared source against target by primary
  key with verifier.verify_rows_by_keys, so the check costs what the sync changed, not the database size.
- Every published table's row count, both sides.
- Every sequence: the target's next value may not be behind the source's (``sync_sequences.set_sequences``
  sets them: the stream carries no sequence changes, so after a sync the target holds the dump's values).

The source is read in one REPEATABLE READ snapshot, the target in one, each as it is after the drain.
"""

from __future__ import annotations

from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump import dumper
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sequence_position import (
    positions,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync import (
    sync_apply,
    sync_sequences,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.verify import verifier

try:
    from psycopg2 import sql

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - reported by the modules with missing_required_lib()
    HAS_PSYCOPG2 = False


def _snapshot(conn):
    conn.rollback()
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True)


def source_tables(cur, schemas=None):
    """describe_tables entries (without checksums) of the tables the dump and the publication cover."""
    return dumper.describe_tables(cur, schemas, False)


_KEYS_PER_CAST = 10000


def typed_keys(cur, table, key_texts):
    """Key texts (from pgoutput) -> the values the server returns for those columns (for compare_keys).

    One query per 10,000 keys: the texts go in as one text array per key column, unnested side by side
    and cast to the catalog's types, in their input order (WITH ORDINALITY). CockroachDB's own logic tests
    use multi-argument unnest; not yet run against a cluster here (AIRFLOW_OPS_TEST_CRDB_URL runs
    test_metastore_sync's verify there). A UNION ALL of one SELECT per key, the earlier form, cost 3.2 s
    for 22,339 keys at 1M task instances (bench/online.py).
    """
    types = {c["name"]: c["type"] for c in table["columns"]}
    names = [sql.Identifier(f"k{index}") for index in range(len(table["primary_key"]))]
    casts = sql.SQL(", ").join(
        sql.SQL("CAST(k.{} AS {})").format(names[index], sql.SQL(types[column]))
        for index, column in enumerate(table["primary_key"])
    )  # format_type() output from the catalog, not from the stream
    query = sql.SQL("SELECT {} FROM unnest({}) WITH ORDINALITY AS k({}, ord) ORDER BY k.ord").format(
        casts,
        sql.SQL(", ").join(sql.SQL("%s::text[]") for _name in names),
        sql.SQL(", ").join(names),
    )
    typed = []
    for start in range(0, len(key_texts), _KEYS_PER_CAST):
        chunk = key_texts[start : start + _KEYS_PER_CAST]
        cur.execute(query, [[key[index] for key in chunk] for index in range(len(names))])
        typed.extend(tuple(row) for row in cur.fetchall())
    return typed


def _count(cur, schema, name):
    cur.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(name)))
    return int(cur.fetchone()[0])


def verify_cutover(source, target, slot, state_schema, schemas=None, alembic_revision=None):
    """{"tables", "sequences", "touched_rows", "differences"}; differences is [] when the target matches.

    ``alembic_revision`` (the dump's): a source whose ``alembic_version`` differs was upgraded during the
    sync (its schema changed, which the stream does not carry), and is a difference.
    """
    _snapshot(source)
    target.rollback()
    differences, tables_report, touched_rows = [], [], 0
    try:
        with source.cursor() as scur, target.cursor() as tcur:
            current = dumper.alembic_revision(scur)
            if alembic_revision is not None and current != alembic_revision:
                differences.append(
                    f"alembic_version is {current} on the source, {alembic_revision} in the dump: Airflow "
                    "was upgraded (or downgraded) during the sync, so the target's schema is not the "
                    "source's; the cutover is refused (drop the sync and migrate again from a new dump)"
                )
            tables = source_tables(scur, schemas)
            touched = sync_apply.touched_keys(tcur, state_schema, slot)
            target.rollback()
            _snapshot(target)
            for table in tables:
                key = (table["schema"], table["name"])
                entry = {"schema": key[0], "name": key[1], "source_rows": _count(scur, *key)}
                entry["target_rows"] = _count(tcur, *key)
                texts = touched.get(key, [])
                entry["touched_rows"] = len(texts)
                touched_rows += len(texts)
                if texts:
                    diff = verifier.verify_rows_by_keys(source, target, table, typed_keys(scur, table, texts))
                    entry.update({k: diff[k] for k in ("missing", "mismatched", "extraneous")})
                    if diff["missing"] or diff["mismatched"] or diff["extraneous"]:
                        differences.append(f"{key[0]}.{key[1]}: {_describe(diff)}")
                if entry["source_rows"] != entry["target_rows"]:
                    differences.append(
                        f"{key[0]}.{key[1]}: {entry['source_rows']} rows on the source, "
                        f"{entry['target_rows']} on the target"
                    )
                tables_report.append(entry)
            sequences = _compare_sequences(scur, target, schemas, differences)
    finally:
        source.rollback()
        target.rollback()
    return {
        "tables": tables_report,
        "sequences": sequences,
        "touched_rows": touched_rows,
        "differences": differences,
    }


def _describe(diff):
    parts = []
    for kind in ("missing", "mismatched", "extraneous"):
        if diff[kind]:
            parts.append(f"{diff[kind]} {kind} (e.g. {diff[f'{kind}_keys'][:3]})")
    return ", ".join(parts)


def _compare_sequences(scur, target, schemas, differences):
    """Each source sequence against the target's, by the next value each would hand out
    (sequence_position.positions: the same rule on PostgreSQL and CockroachDB, which stores no is_called)."""
    names = [(s["schema"], s["name"]) for s in dumper.list_sequences(scur, schemas)]
    wanted = positions(scur, names)
    with target.cursor() as tcur:
        have = positions(tcur, names)
    report = []
    for (schema, name), position in sorted(wanted.items()):
        got = have.get((schema, name))
        target_next = got.next_value if got else None
        report.append({"schema": schema, "name": name, "source": position.next_value, "target": target_next})
        if got is None or sync_sequences.behind(position, got):
            differences.append(
                f"sequence {schema}.{name}: next value {target_next} on the target, behind "
                f"{position.next_value} on the source (run mode=sequences)"
            )
    return report


class CutoverMismatch(Exception):
    """The target differs from the source after the drain; ``result`` holds the whole report."""

    def __init__(self, result):
        super().__init__(
            f"the target differs from the source: {'; '.join(result['differences'][:20])}. Do not switch: "
            "drain again (are all writers stopped?), or roll back to the source"
        )
        self.result = result


def run_mode(source_params, target_params, options):
    """metastore_sync mode=verify or mode=sequences; the module's result."""
    from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import connect

    source, target = connect(source_params), connect(target_params)
    try:
        if options.mode == "sequences":
            entries = sync_sequences.set_sequences(
                source, target, sync_sequences.SequenceOptions(check_mode=options.check_mode)
            )
            changed = [entry for entry in entries if entry["changed"]]
            return {
                "changed": bool(changed),
                "mode": options.mode,
                "slot": options.slot,
                "sequences": changed,
            }
        report = verify_cutover(
            source, target, options.slot, options.state_schema, alembic_revision=options.alembic_revision
        )
        result = dict(report, changed=False, mode=options.mode, slot=options.slot)
        if report["differences"]:
            raise CutoverMismatch(result)
        return result
    finally:
        source.close()
        target.close()
