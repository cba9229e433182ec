# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""metastore_dump ``schema_from``: a source's rows under the schema of another dump at the same revision.

Why: ``airflow db migrate`` cannot run on CockroachDB (cockroachdb_rules, "Copying a CockroachDB
metastore back"), so an Airflow release that moves the Alembic head runs its migrations on
PostgreSQL, and the metastore has to be copied back there first (docs/upgrade-on-cockroachdb.md).
pg_dump cannot dump CockroachDB, and the schema a copy back needs is PostgreSQL's own DDL anyway:
``airflow db migrate`` of the release that runs on the source, on an empty PostgreSQL database,
writes exactly that schema, and a normal metastore_dump of it is the *schema dump*.

This dump takes its schema files and its tables' columns from the schema dump, and only the rows,
row counts, checksums and sequence positions from the source, in one read-only transaction, with
nothing but COPY TO, SELECT and information_schema (which both engines have). It refuses when the
two do not describe the same schema: another Alembic revision, or a table, column or sequence on one
side only (a row the schema has no place for would be lost).
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile

from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog, cockroachdb_rules
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import manifest as mf
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump import dumper
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump.dumper import DumpError
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sequence_position import (
    positions,
)


def read_schema_dump(path):
    """The schema dump's manifest (files checked), or a DumpError that says how to make one."""
    try:
        schema = mf.load(path)
    except mf.ManifestError as exc:
        raise DumpError(
            f"schema_from {path} is not a usable dump ({exc}): dump the PostgreSQL database that "
            "`airflow db migrate` of the source's Airflow release created, with metastore_dump, into it first"
        ) from None
    if not schema.get("alembic_revision"):
        raise DumpError(
            f"schema_from {path} has no Alembic revision: it must be a dump of an Airflow metadata database "
            "(made by `airflow db migrate` of the release that runs on the source)"
        )
    return schema


def source_columns(cur, exclude_schemas, server_version):
    """{(schema, table): [column, ...]} of the source's base tables, hidden columns left out.

    information_schema on both engines; CockroachDB lists its hidden columns there too (``rowid`` of a
    table without a primary key, hash-sharded index columns), marked ``is_hidden``, which PostgreSQL's
    view does not have.
    """
    hidden = " AND c.is_hidden = 'NO'" if catalog.is_cockroachdb_version(server_version) else ""
    cur.execute(
        "SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c"
        " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
        f" WHERE t.table_type = 'BASE TABLE' AND {catalog.system_schema_filter('c.table_schema')}"
        f" AND c.table_schema <> ALL(%s){hidden} ORDER BY 1, 2, c.ordinal_position",
        (list(exclude_schemas) or [""],),
    )
    found = {}
    for schema, table, column in cur.fetchall():
        found.setdefault((schema, table), []).append(column)
    return found


def schema_problems(schema_tables, columns_on_source):
    """Why the source's rows do not fit the schema dump's tables (an empty list when they do).

    ``schema_tables`` are the schema dump's manifest tables; ``columns_on_source`` is source_columns().
    """
    problems = []
    expected = {(t["schema"], t["name"]): [c["name"] for c in t["columns"]] for t in schema_tables}
    for key in sorted(set(columns_on_source) - set(expected)):
        problems.append(f"table {'.'.join(key)} is on the source only")
    for key, columns in sorted(expected.items()):
        found = columns_on_source.get(key)
        if found is None:
            problems.append(f"table {'.'.join(key)} is in the schema dump only")
            continue
        only = {"source": set(found) - set(columns), "schema dump": set(columns) - set(found)}
        for side, names in only.items():
            if names:
                problems.append(f"{'.'.join(key)} has columns on the {side} only: {', '.join(sorted(names))}")
    return problems


def alembic_revision(cur, columns_on_source):
    """The source's Alembic revision(s), read without PostgreSQL-only functions (None without the table)."""
    from psycopg2 import sql

    tables = [key for key in columns_on_source if key[1] == "alembic_version"]
    if len(tables) != 1:
        return None
    cur.execute(sql.SQL("SELECT version_num FROM {}.{} ORDER BY 1").format(*map(sql.Identifier, tables[0])))
    return ",".join(row[0] for row in cur.fetchall()) or None


def check_source(cur, schema, exclude_schemas, server_version):
    """DumpError unless the source is at the schema dump's revision with the same tables and columns."""
    problem = cockroachdb_rules.copy_to_problem(server_version)
    if problem:
        raise DumpError(problem)
    columns = source_columns(cur, exclude_schemas, server_version)
    revision = alembic_revision(cur, columns)
    if revision != schema["alembic_revision"]:
        raise DumpError(
            f"the source is at Alembic revision {revision} and the schema dump at "
            f"{schema['alembic_revision']}: make the schema dump from `airflow db migrate` of the Airflow "
            "release that runs on the source (`airflow db check-migrations` there names its revision)"
        )
    problems = schema_problems(schema["tables"], columns)
    if problems:
        raise DumpError(
            "the source does not have the schema dump's tables and columns, so its rows would not fit: "
            + "; ".join(problems)
            + ". The schema dump must come from the same Airflow release (and providers) as the source"
        )


def sequence_positions(cur, schema):
    """The schema dump's sequences at the source's positions, in the manifest's (value, is_called) form.

    Stored as ``value = the next nextval, is_called = false``: the one pair that means the same on both
    engines (cockroachdb_rules.SEQUENCE_POSITION_AS_NEXT_VALUE), and a setval of it on PostgreSQL hands
    out exactly that value next.
    """
    names = [(s["schema"], s["name"]) for s in schema["sequences"]]
    found = positions(cur, names)
    missing = [".".join(key) for key in names if key not in found]
    if missing:
        raise DumpError(
            f"the source has no sequence {', '.join(missing)} that the schema dump has: "
            "the schema dump must come from the same Airflow release as the source"
        )
    return [{"schema": s, "name": n, "value": found[(s, n)].next_value, "is_called": False} for s, n in names]


def describe_rows(conn, schema, checksums):
    """The schema dump's tables with the source's row counts and checksums (same transaction)."""
    tables = []
    for index, table in enumerate(schema["tables"]):
        entry = {key: table[key] for key in ("schema", "name", "file", "columns", "primary_key")}
        if checksums:
            entry["row_count"], entry["checksum"] = dumper.content_checksum(conn, entry, index)
        tables.append(entry)
    return tables


def build_manifest(conn, cur, schema, options, server_version):
    """The new dump's manifest: the schema dump's schema and columns, the source's rows and sequences."""
    return {
        "format_version": mf.FORMAT_VERSION,
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),  # noqa: UP017
        "source": {
            "server_version": server_version,
            "database": conn.info.dbname,
            "identity": catalog.server_identity(cur),
        },
        # The schema files are the schema dump's, written by its pg_dump.
        "pg_dump_version": schema["pg_dump_version"],
        "alembic_revision": schema["alembic_revision"],
        "checksums": options.checksums,
        "tables": describe_rows(conn, schema, options.checksums),
        "sequences": sequence_positions(cur, schema),
        "schema_digests": schema.get("schema_digests") or schema["schema_files"],
        "schema_from": {"dump_dir": options.schema_from, "manifest_sha256": schema[mf.DIGEST_KEY]},
    }


def _stage_schema_files(schema_dir, staging):
    os.makedirs(os.path.join(staging, "schema"), mode=dumper.PRIVATE_DIR, exist_ok=True)
    os.makedirs(os.path.join(staging, "data"), mode=dumper.PRIVATE_DIR, exist_ok=True)
    for section in mf.SCHEMA_SECTIONS:
        dest = os.path.join(staging, mf.schema_file(section))
        shutil.copyfile(os.path.join(schema_dir, mf.schema_file(section)), dest)
        os.chmod(dest, dumper.PRIVATE_FILE)


def run_data_dump(conn, options):
    """Dump the source's rows under ``options.schema_from``'s schema into ``options.dump_dir``.

    The result has metastore_dump's keys. Idempotent by content: with checksums, a source whose rows and
    sequences equal the existing dump's rewrites nothing (there is no cheaper "unchanged" test that
    CockroachDB offers too).
    """
    schema = read_schema_dump(options.schema_from)
    dump_dir = options.dump_dir
    previous, previous_problem = (
        dumper.existing_manifest(dump_dir) if os.path.isdir(dump_dir) else (None, None)
    )
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
    if not options.check_mode:
        os.makedirs(dump_dir, mode=dumper.PRIVATE_DIR, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".staging-", dir=None if options.check_mode else dump_dir)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT version()")
            server_version = cur.fetchone()[0]
            check_source(cur, schema, options.exclude_schemas, server_version)
            manifest = build_manifest(conn, cur, schema, options, server_version)
            result = {
                "dump_dir": dump_dir,
                "server_version": server_version,
                "pg_dump_version": manifest["pg_dump_version"],
                "alembic_revision": manifest["alembic_revision"],
            }
            if options.checksums and previous and mf.content_digest(previous) == mf.content_digest(manifest):
                conn.rollback()
                return dumper.unchanged(result, previous, "source content identical to the existing dump")
            reason = dumper.change_reason(previous, previous_problem)
            diff = {"before": dumper.table_summary(previous["tables"]) if previous else ""}
            if options.check_mode:
                conn.rollback()
                diff["after"] = dumper.table_summary(manifest["tables"]) if options.checksums else ""
                tables = dumper.brief(manifest["tables"])
                return dict(result, changed=True, reason=reason, diff=diff, tables=tables)
            _stage_schema_files(options.schema_from, staging)
            # CockroachDB has no pg_table_size: a full disk is reported without the size the dump needs.
            dumper.copy_tables(
                cur, manifest["tables"], staging, options.checksums, dump_dir, measure_size=False
            )
            conn.rollback()
        diff["after"] = dumper.table_summary(manifest["tables"])
        dumper.seal_and_install(staging, dump_dir, manifest)
        return dict(
            result,
            changed=True,
            reason=reason,
            diff=diff,
            tables=dumper.brief(manifest["tables"]),
            manifest=os.path.join(dump_dir, mf.MANIFEST_NAME),
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
