# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""metastore_dump's logic: schema with pg_dump, data with COPY, manifest; all from ONE snapshot.

A REPEATABLE READ transaction exports its snapshot; pg_dump imports it with ``--snapshot``; the
row counts, checksums and COPY files are taken inside the same transaction. So the manifest
describes exactly the files beside it, even while Airflow keeps writing to the source.
"""

from __future__ import annotations

import datetime
import errno
import glob
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import libpq_environment
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import copy_stream
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import manifest as mf
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.row_checksum import (
    checksum_query,
    table_checksum,
)

_SYSTEM_SCHEMA_FILTER = catalog.system_schema_filter("n.nspname")


# The load's progress lives in this schema on a target; a target dumped again must not carry it along.
DEFAULT_EXCLUDED_SCHEMAS = (catalog.PROGRESS_SCHEMA,)

# The data holds Airflow's connections and variables: readable by the dump's owner only.
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


class DumpError(Exception):
    """The dump cannot be taken; the message says what to fix."""


@dataclass(frozen=True)
class DumpOptions:
    """What to dump and where; metastore_dump's options of the same names (their defaults are these).

    ``checksums=False`` skips the per-row content checksums (the slow, CPU-bound part): the manifest then
    holds row counts only, and a load of it can check counts but not verify content.
    """

    dump_dir: str
    pg_dump_path: str = "pg_dump"
    schemas: tuple | None = None  # None: every user schema
    exclude_schemas: tuple = DEFAULT_EXCLUDED_SCHEMAS
    checksums: bool = True
    check_mode: bool = False
    # The online migration's start (sync_slot.dump_from_new_slot): the snapshot a new replication slot
    # exported, imported by the dump's transaction, and what the manifest records of that slot.
    snapshot: str | None = None
    replication: dict | None = None
    # The upgrade route's copy back (schema_from.py): the schema dump whose schema and columns this dump
    # takes, when pg_dump cannot dump the source (CockroachDB).
    schema_from: str | None = None

    @classmethod
    def from_params(cls, params, check_mode):
        schemas = params["schemas"]
        return cls(
            dump_dir=params["dump_dir"],
            pg_dump_path=params["pg_dump_path"],
            schemas=None if schemas is None else tuple(schemas),
            exclude_schemas=tuple(params["exclude_schemas"] or ()),
            checksums=params["checksums"],
            check_mode=check_mode,
            schema_from=params.get("schema_from"),
        )


def parse_pg_dump_version(output):
    """'pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)' -> ('15.20', 15)."""
    match = re.search(r"\)\s+(\d+)(?:\.(\d+))?", output)
    if not match:
        raise DumpError(f"cannot read pg_dump's version from {output.strip()!r}")
    version = match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
    return version, int(match.group(1))


def check_pg_dump_major(pg_dump_major, server_major, pg_dump_path):
    """pg_dump refuses servers newer than itself; say which client to install instead."""
    if pg_dump_major < server_major:
        raise DumpError(
            f"{pg_dump_path} is version {pg_dump_major} but the server runs PostgreSQL {server_major}: "
            f"install postgresql-client-{server_major} (apt) or postgresql{server_major} (dnf) and set "
            f"pg_dump_path to its pg_dump (e.g. /usr/lib/postgresql/{server_major}/bin/pg_dump)"
        )


def pg_dump_version(pg_dump_path):
    try:
        out = subprocess.run([pg_dump_path, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise DumpError(
            f"cannot run {pg_dump_path} ({exc}): install the PostgreSQL client of the server's major "
            "version (apt: postgresql-client-N) or set pg_dump_path"
        ) from None
    return parse_pg_dump_version(out)


def normalized_schema_digest(text):
    """sha256 of pg_dump output without ``\\restrict``/``\\unrestrict`` lines (a random key per run)."""
    lines = [line for line in text.splitlines() if not re.match(r"^\\(un)?restrict\b", line)]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def schema_filter(schemas, exclude):
    """SQL condition (on ``n.nspname``) and its arguments for the schemas to dump."""
    clause, args = "", []
    if schemas:
        clause += " AND n.nspname = ANY(%s)"
        args.append(list(schemas))
    if exclude:
        clause += " AND n.nspname <> ALL(%s)"
        args.append(list(exclude))
    return clause, tuple(args)


def pg_dump_schema_options(schemas, exclude):
    return [f"--schema={s}" for s in schemas or ()] + [f"--exclude-schema={s}" for s in exclude or ()]


def run_pg_dump(options, connection, snapshot, section, dest):
    """pg_dump one schema section of the snapshot into ``dest``; its normalized digest."""
    env = dict(os.environ)
    env.update(libpq_environment(connection))
    argv = [options.pg_dump_path, "--schema-only", f"--section={section}", f"--snapshot={snapshot}"]
    # Publications and subscriptions are the database's, not Airflow's: the online mode's own publication
    # would otherwise be created on the target too (and a second run's load fail on it).
    argv += ["--no-publications", "--no-subscriptions"]
    argv += [f"--file={dest}", *pg_dump_schema_options(options.schemas, options.exclude_schemas)]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        if "no space left on device" in proc.stderr.lower():
            free = _human(_free_bytes(os.path.dirname(dest)))
            raise DumpError(
                f"no space left on the file system of {dest} while pg_dump wrote the {section} schema "
                f"({free} free now): free space or set dump_dir to a larger file system, then run again "
                f"(pg_dump said: {proc.stderr.strip()})"
            )
        raise DumpError(f"pg_dump --section={section} failed: {proc.stderr.strip()}")
    os.chmod(dest, PRIVATE_FILE)
    with open(dest, encoding="utf-8") as handle:
        return normalized_schema_digest(handle.read())


def list_tables(cur, schemas=None, exclude=DEFAULT_EXCLUDED_SCHEMAS):
    """Ordinary tables of user schemas (not extension members), sorted: [(schema, name, oid)]."""
    query = (
        "SELECT n.nspname, c.relname, c.oid FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        f" WHERE c.relkind = 'r' AND {_SYSTEM_SCHEMA_FILTER}"
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
        " WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
    )
    clause, args = schema_filter(schemas, exclude)
    cur.execute(query + clause + " ORDER BY 1, 2", args)
    return cur.fetchall()


def table_columns(cur, oid):
    cur.execute(
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"
        " WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''"
        " ORDER BY a.attnum",
        (oid,),
    )
    return [{"name": name, "type": type_name} for name, type_name in cur.fetchall()]


def primary_key(cur, oid):
    cur.execute(
        "SELECT a.attname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a"
        " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey::int2[])"
        " WHERE i.indrelid = %s AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)",
        (oid,),
    )
    return [row[0] for row in cur.fetchall()]


def list_sequences(cur, schemas=None, exclude=DEFAULT_EXCLUDED_SCHEMAS):
    from psycopg2 import sql

    query = (
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        f" WHERE c.relkind = 'S' AND {_SYSTEM_SCHEMA_FILTER}"
    )
    clause, args = schema_filter(schemas, exclude)
    cur.execute(query + clause + " ORDER BY 1, 2", args)
    sequences = []
    for schema, name in cur.fetchall():
        cur.execute(
            sql.SQL("SELECT last_value, is_called FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
        )
        value, is_called = cur.fetchone()
        sequences.append({"schema": schema, "name": name, "value": int(value), "is_called": bool(is_called)})
    return sequences


def alembic_revision(cur):
    """Airflow's schema revision (``alembic_version``), or None when the database has none."""
    cur.execute("SELECT pg_catalog.to_regclass('alembic_version') IS NOT NULL")
    if not cur.fetchone()[0]:
        return None
    cur.execute("SELECT version_num FROM alembic_version ORDER BY 1")
    revisions = [row[0] for row in cur.fetchall()]
    return ",".join(revisions) if revisions else None


def source_fingerprint(cur, schemas, exclude, pg_dump_version_text, checksums=True):
    """Changes whenever any transaction that wrote anything committed in the cluster since (xid snapshot).

    Equal fingerprints mean the source cannot have changed; different ones say nothing (then the
    content is compared, and an unchanged content still rewrites nothing).
    """
    cur.execute(
        "SELECT pg_catalog.txid_current_snapshot()::text, current_database(), d.oid,"
        " pg_catalog.pg_postmaster_start_time()::text FROM pg_catalog.pg_database d"
        " WHERE d.datname = current_database()"
    )
    material = [*cur.fetchone(), sorted(schemas or []), sorted(exclude or []), pg_dump_version_text]
    if not checksums:  # a dump without checksums must not stand in for one with them (and back)
        material.append("no-checksums")
    return hashlib.sha256(repr(material).encode("utf-8")).hexdigest()


def existing_manifest(dump_dir):
    """The valid manifest already in ``dump_dir`` (files checked), or None with the reason."""
    try:
        return mf.load(dump_dir), None
    except mf.ManifestError as exc:
        return None, str(exc)


def describe_tables(cur, schemas, with_checksums, exclude=DEFAULT_EXCLUDED_SCHEMAS):
    tables = []
    for index, (schema, name, oid) in enumerate(list_tables(cur, schemas, exclude)):
        columns = table_columns(cur, oid)
        entry = {
            "schema": schema,
            "name": name,
            "file": mf.data_file(schema, name),
            "columns": columns,
            "primary_key": primary_key(cur, oid),
        }
        if with_checksums and columns:
            entry["row_count"], entry["checksum"] = content_checksum(cur.connection, entry, index)
        tables.append(entry)
    return tables


def content_checksum(conn, table, index):
    """(row_count, checksum) of a manifest table's rows, read in ``conn``'s transaction (its ``index``th)."""
    query, json_columns = checksum_query(table["schema"], table["name"], table["columns"])
    return table_checksum(conn, query, json_columns, name=f"airflow_ops_dump_{index}")


def _install(staging, dump_dir, manifest):
    """Move staged files into place, remove data files of tables that are gone, write the manifest last."""
    for sub in ("schema", "data"):
        os.makedirs(os.path.join(dump_dir, sub), mode=PRIVATE_DIR, exist_ok=True)
    wanted = {t["file"] for t in manifest["tables"]}
    for relative in [mf.schema_file(s) for s in mf.SCHEMA_SECTIONS] + sorted(wanted):
        os.replace(os.path.join(staging, relative), os.path.join(dump_dir, relative))
    for stale in glob.glob(os.path.join(dump_dir, "data", "*.copy")):
        if os.path.relpath(stale, dump_dir) not in wanted:
            os.unlink(stale)
    mf.write(dump_dir, manifest)


def estimated_bytes(cur, tables):
    """What the tables take on the source (heap and TOAST): about what their COPY text needs on disk."""
    cur.execute(
        "SELECT coalesce(sum(pg_catalog.pg_table_size(c.oid)), 0) FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " JOIN unnest(%s::text[], %s::text[]) AS t(s, n) ON n.nspname = t.s AND c.relname = t.n",
        ([t["schema"] for t in tables], [t["name"] for t in tables]),
    )
    return int(cur.fetchone()[0])


def _human(size):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def no_space_error(dump_dir, path, needed, free_at_start):
    """ENOSPC/EDQUOT while writing the dump: which file, how much it needs (if known), what was free."""
    size = (
        f"needs about {_human(needed)} (the size of its tables on the source)"
        if needed is not None
        else "needs about the size of the source's tables"
    )
    return DumpError(
        f"no space left on the file system of {dump_dir} while writing {path}: this dump {size} and "
        f"{_human(free_at_start)} were free when it started. Free space or set dump_dir to a larger file "
        "system, then run again; the partial files were removed and an earlier dump in that directory is "
        "unchanged"
    )


def copy_tables(cur, tables, staging, checksums, dump_dir, measure_size=True):
    """COPY every table into staging; a full disk names the file and the space needed.

    ``measure_size=False`` for a source without pg_table_size (CockroachDB): the space needed is not known.
    """
    needed = estimated_bytes(cur, tables) if measure_size else None
    free_at_start = _free_bytes(staging)
    for table in tables:
        try:
            _copy_table(cur, table, staging, checksums)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise no_space_error(
                dump_dir, os.path.join(dump_dir, table["file"]), needed, free_at_start
            ) from None


def _free_bytes(path):
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def table_summary(tables):
    return "".join(
        f"{t['schema']}.{t['name']}: {t['row_count']} rows {(t['checksum'] or 'no checksum')[:15]}\n"
        for t in tables
    )


def _copy_table(cur, table, staging, checksums):
    """COPY one table into the staging folder; record its size, sha256 and (without checksums) its rows."""
    columns = [c["name"] for c in table["columns"]]
    path = os.path.join(staging, table["file"])
    table["file_bytes"], table["file_sha256"], rows = copy_stream.copy_table_to_file(
        cur, table["schema"], table["name"], columns, path
    )
    if not checksums:
        table["row_count"], table["checksum"] = rows, None
    elif rows != table["row_count"]:  # same snapshot: cannot differ unless something is badly wrong
        raise DumpError(
            f"{table['schema']}.{table['name']}: COPY wrote {rows} rows, the checksum pass read "
            f"{table['row_count']}: dump again"
        )


@dataclass(frozen=True)
class _Snapshot:
    """What one run found in the source's snapshot, and whether it is done before copying anything."""

    result: dict  # the keys every result has (dump_dir, versions, alembic_revision)
    done: dict | None = None  # the whole result when nothing is to be copied (unchanged, check mode)
    manifest: dict | None = None
    diff: dict | None = None
    reason: str | None = None


@dataclass(frozen=True)
class _DumpRun:
    """One run of run_dump: the source, the options, and what the dump directory held before."""

    conn: object
    connection: dict  # the connection settings, for pg_dump's libpq environment
    options: DumpOptions
    pg_dump_version: str
    staging: str
    previous: dict | None
    previous_problem: str | None


def run_dump(conn, connection, options):
    """Dump the source into ``options.dump_dir``; the result for exit_json (``changed``, ``reason``...).

    ``connection`` holds the connection settings (the module's parameters), which pg_dump gets as libpq
    environment variables.
    """
    version = _usable_pg_dump_version(conn, options.pg_dump_path)
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
    dump_dir = options.dump_dir
    previous, previous_problem = existing_manifest(dump_dir) if os.path.isdir(dump_dir) else (None, None)
    if not options.check_mode:
        # Staging inside dump_dir keeps the final os.replace() on one file system.
        os.makedirs(dump_dir, mode=PRIVATE_DIR, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".staging-", dir=None if options.check_mode else dump_dir)
    run = _DumpRun(conn, connection, options, version, staging, previous, previous_problem)
    try:
        with conn.cursor() as cur:
            found = _read_snapshot(run, cur)
            if found.done is None:
                copy_tables(cur, found.manifest["tables"], staging, options.checksums, dump_dir)
            conn.rollback()
        return found.done or _install_dump(run, found)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _usable_pg_dump_version(conn, pg_dump_path):
    """pg_dump's version, once it is known to be able to dump this server."""
    dump_version, dump_major = pg_dump_version(pg_dump_path)
    check_pg_dump_major(dump_major, conn.server_version // 10000, pg_dump_path)
    return dump_version


def _read_snapshot(run, cur):
    """Export the snapshot, then decide: unchanged source, check mode, or a manifest to copy for."""
    options, previous = run.options, run.previous
    if options.snapshot:
        # The slot's snapshot, re-exported below for pg_dump; a slot's dump is always written anew.
        cur.execute("SET TRANSACTION SNAPSHOT %s", (options.snapshot,))
        previous = None
    cur.execute("SELECT pg_catalog.pg_export_snapshot(), current_setting('server_version')")
    snapshot, server_version = cur.fetchone()
    fingerprint = source_fingerprint(
        cur, options.schemas, options.exclude_schemas, run.pg_dump_version, options.checksums
    )
    result = {
        "dump_dir": options.dump_dir,
        "server_version": server_version,
        "pg_dump_version": run.pg_dump_version,
    }
    if previous and previous.get("source", {}).get("fingerprint") == fingerprint:
        return _Snapshot(
            result,
            done=unchanged(
                result, previous, "source unchanged since the last dump (same snapshot)", alembic=True
            ),
        )
    manifest = _manifest(run, cur, snapshot, server_version, fingerprint)
    result["alembic_revision"] = manifest["alembic_revision"]
    # Without checksums the content is only known once copied: no early comparison then.
    if options.checksums and previous and mf.content_digest(previous) == mf.content_digest(manifest):
        return _Snapshot(
            result, done=unchanged(result, previous, "source content identical to the existing dump")
        )
    diff = {
        "before": table_summary(previous["tables"]) if previous else "",
        "after": table_summary(manifest["tables"]) if options.checksums else "",
    }
    reason = change_reason(run.previous, run.previous_problem)
    if options.check_mode:
        done = dict(result, changed=True, reason=reason, diff=diff, tables=brief(manifest["tables"]))
        return _Snapshot(result, done=done)
    return _Snapshot(result, manifest=manifest, diff=diff, reason=reason)


def unchanged(result, previous, reason, alembic=False):
    """The result of a run that found the existing dump current: nothing written."""
    done = dict(result, changed=False, reason=reason, tables=brief(previous["tables"]))
    if alembic:
        done["alembic_revision"] = previous.get("alembic_revision")
    return done


def change_reason(previous, previous_problem):
    """Why a dump is (re)written: there was none, a damaged one, or the source changed."""
    if previous:
        return "source changed since the last dump"
    return f"no valid dump yet ({previous_problem})" if previous_problem else "no dump yet"


def _manifest(run, cur, snapshot, server_version, fingerprint):
    """pg_dump's schema files into staging, then the manifest of the tables and sequences (same snapshot)."""
    options, staging = run.options, run.staging
    os.makedirs(os.path.join(staging, "schema"), mode=PRIVATE_DIR, exist_ok=True)
    os.makedirs(os.path.join(staging, "data"), mode=PRIVATE_DIR, exist_ok=True)
    digests = {
        s: run_pg_dump(options, run.connection, snapshot, s, os.path.join(staging, mf.schema_file(s)))
        for s in mf.SCHEMA_SECTIONS
    }
    return {
        "format_version": mf.FORMAT_VERSION,
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),  # noqa: UP017
        "source": {
            "server_version": server_version,
            "database": run.conn.info.dbname,
            "fingerprint": fingerprint,
            # A load refuses a target that is this very database, however it is reached.
            "identity": catalog.server_identity(cur),
        },
        "pg_dump_version": run.pg_dump_version,
        "alembic_revision": alembic_revision(cur),
        "checksums": options.checksums,
        "tables": describe_tables(cur, options.schemas, options.checksums, options.exclude_schemas),
        "sequences": list_sequences(cur, options.schemas, options.exclude_schemas),
        "schema_digests": digests,
        **({"replication": options.replication} if options.replication else {}),
    }


def seal_and_install(staging, dump_dir, manifest):
    """Record the schema files' sha256, seal and check the staged dump, then move it into dump_dir."""
    manifest["schema_files"] = {
        s: mf.sha256_file(os.path.join(staging, mf.schema_file(s))) for s in mf.SCHEMA_SECTIONS
    }
    mf.validate(mf.seal(manifest), staging)
    os.makedirs(dump_dir, mode=PRIVATE_DIR, exist_ok=True)
    _install(staging, dump_dir, manifest)


def _install_dump(run, found):
    """Seal and check the staged dump, then move it into dump_dir (the manifest last)."""
    manifest, diff, staging, dump_dir = found.manifest, found.diff, run.staging, run.options.dump_dir
    if not run.options.checksums:
        diff["after"] = table_summary(manifest["tables"])
    seal_and_install(staging, dump_dir, manifest)
    return dict(
        found.result,
        changed=True,
        reason=found.reason,
        diff=diff,
        tables=brief(manifest["tables"]),
        manifest=os.path.join(dump_dir, mf.MANIFEST_NAME),
    )


def brief(tables):
    return [
        {
            "schema": t["schema"],
            "name": t["name"],
            "row_count": t.get("row_count"),
            "checksum": t.get("checksum"),
        }
        for t in tables
    ]


def measure_source(conn, schemas=None, exclude=DEFAULT_EXCLUDED_SCHEMAS):
    """Tables (with counts and checksums) and sequences of a live PostgreSQL source, in one snapshot."""
    conn.rollback()
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
    try:
        with conn.cursor() as cur:
            return describe_tables(cur, schemas, True, exclude), list_sequences(cur, schemas, exclude)
    finally:
        conn.rollback()
