# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The source side of the online migration: prerequisites, our slots, the publication, the consistent start.

A logical replication slot created with PostgreSQL's built-in ``pgoutput`` plugin exports a snapshot
(CREATE_REPLICATION_SLOT ... LOGICAL pgoutput, on a replication connection). Every transaction that
committed before the slot's ``consistent_point`` is in that snapshot, every later one comes out of the
slot. The dump imports the snapshot (SET TRANSACTION SNAPSHOT) while the replication connection is still
open and idle (the snapshot lives only until that connection runs its next command or closes), so
nothing between the dump and the stream is lost or seen twice.

Source: PostgreSQL 15 documentation, "Streaming Replication Protocol" (CREATE_REPLICATION_SLOT, its
snapshot_name and consistent_point) and "Logical Decoding Concepts: Exported Snapshots".

Our slots and publications are named ``airflow_ops_...`` (``NAME_PREFIX``): every run lists them with the
WAL they keep on the source, and a new sync is refused while one exists.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import (
    describe_target,
    explain_connection_error,
    libpq_kwargs,
    scrub,
)

try:
    import psycopg2
    import psycopg2.errors
    import psycopg2.extras
    from psycopg2 import sql

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - reported by the modules with missing_required_lib()
    HAS_PSYCOPG2 = False

# Slots and publications of this collection; the schema name has its one home in catalog.
NAME_PREFIX = catalog.PROGRESS_SCHEMA + "_"
DEFAULT_SLOT = NAME_PREFIX + "sync"
_NAME_RE = re.compile(r"^[a-z0-9_]{1,63}$")


class SlotError(Exception):
    """The slot or publication cannot be used or created; the message says what to do."""


def check_name(name):
    """A slot name of ours: ``airflow_ops_`` then lower-case letters, digits and underscores (63 at most)."""
    if not _NAME_RE.match(name or "") or not name.startswith(NAME_PREFIX):
        raise SlotError(
            f"replication slot name {name!r} is not one of ours: use {NAME_PREFIX}<lower-case letters, "
            f"digits and _>, at most 63 characters (e.g. {DEFAULT_SLOT}); the prefix is how every run finds "
            "a slot left behind"
        )
    return name


@dataclass(frozen=True)
class Slot:
    """One of our slots on the source and the WAL it keeps (bytes from its restart_lsn to the current LSN)."""

    name: str
    database: str
    active: bool
    restart_lsn: str | None
    confirmed_flush_lsn: str | None
    retained_wal_bytes: int | None

    def as_dict(self):
        return {
            "name": self.name,
            "database": self.database,
            "active": self.active,
            "restart_lsn": self.restart_lsn,
            "confirmed_flush_lsn": self.confirmed_flush_lsn,
            "retained_wal_bytes": self.retained_wal_bytes,
        }


def our_slots(cur):
    """Every slot named ``airflow_ops_...`` on the source's cluster (any database), sorted by name."""
    cur.execute(
        "SELECT slot_name::text, coalesce(database::text, ''), active, restart_lsn::text,"
        " confirmed_flush_lsn::text,"
        " pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn)::bigint"
        " FROM pg_catalog.pg_replication_slots WHERE starts_with(slot_name::text, %s) ORDER BY 1",
        (NAME_PREFIX,),
    )
    return [Slot(*row) for row in cur.fetchall()]


def find_slot(cur, name):
    return next((slot for slot in our_slots(cur) if slot.name == name), None)


def describe_slots(slots):
    return "; ".join(
        f"{s.name} (database {s.database}, {'active' if s.active else 'inactive'}, keeps "
        f"{s.retained_wal_bytes if s.retained_wal_bytes is not None else 'no'} bytes of WAL)"
        for s in slots
    )


def refuse_existing(slots):
    """A new sync starts only where no slot of ours exists: an old one keeps WAL and fills the disk."""
    if slots:
        raise SlotError(
            f"a replication slot of ours already exists on the source: {describe_slots(slots)}. A new sync "
            "is refused while it exists (it keeps WAL on the source until it is dropped): resume it with "
            "metastore_sync, or drop it with metastore_sync mode=drop, then start again"
        )


def prerequisite_problems(cur):
    """What keeps this source from logical replication, each with how to fix it; [] when ready."""
    problems = []
    cur.execute(
        "SELECT current_setting('wal_level'), current_setting('max_replication_slots')::int,"
        " current_setting('max_wal_senders')::int,"
        " (SELECT count(*) FROM pg_catalog.pg_replication_slots),"
        " (SELECT count(*) FROM pg_catalog.pg_stat_replication),"
        " (SELECT rolsuper OR rolreplication FROM pg_catalog.pg_roles WHERE rolname = current_user),"
        " pg_catalog.pg_has_role(current_user, oid, 'MEMBER') FROM (SELECT"
        " (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'rds_replication') AS oid) r"
    )
    wal_level, max_slots, max_senders, slots, senders, replication, rds = cur.fetchone()
    if wal_level != "logical":
        problems.append(
            f"wal_level is {wal_level}: set wal_level = logical (ALTER SYSTEM SET wal_level = logical, or "
            "the rds.logical_replication parameter on RDS/Aurora) and restart the server"
        )
    if slots >= max_slots:
        problems.append(
            f"all {max_slots} replication slots are in use: raise max_replication_slots (needs a restart) or "
            "drop an unused slot"
        )
    if senders >= max_senders:
        problems.append(
            f"all {max_senders} WAL senders are in use: raise max_wal_senders (needs a restart) or stop a "
            "replication client"
        )
    if not replication and not rds:
        problems.append(
            "the login has neither the REPLICATION attribute nor rds_replication: ALTER ROLE <login> "
            "REPLICATION (or GRANT rds_replication TO <login> on RDS/Aurora)"
        )
    return problems


def publication_tables(tables):
    """The tables the dump copies, as (schema, name); tables without a primary key cannot be synced."""
    missing = [f"{t['schema']}.{t['name']}" for t in tables if not t.get("primary_key")]
    if missing:
        raise SlotError(
            f"these tables have no primary key, so their changes cannot be applied by key: "
            f"{', '.join(missing)}. Add a primary key to each, or leave their schemas out (schemas, "
            "exclude_schemas), or migrate offline"
        )
    return [(t["schema"], t["name"]) for t in tables]


def create_publication(cur, name, tables):
    cur.execute(
        sql.SQL("CREATE PUBLICATION {} FOR TABLE {}").format(
            sql.Identifier(name),
            sql.SQL(", ").join(
                sql.SQL("{}.{}").format(sql.Identifier(s), sql.Identifier(t)) for s, t in tables
            ),
        )
    )


def replication_connect(params):
    """A psycopg2 LogicalReplicationConnection to the source, with connect()'s messages."""
    try:
        return psycopg2.connect(
            connection_factory=psycopg2.extras.LogicalReplicationConnection, **libpq_kwargs(params)
        )
    except psycopg2.Error as exc:
        target = describe_target(params)
        raise SlotError(scrub(explain_connection_error(str(exc), target), params)) from None


@dataclass(frozen=True)
class SlotStart:
    """A new slot's consistent point and the snapshot it exported (valid while ``connection`` stays idle)."""

    name: str
    consistent_point: str
    snapshot: str
    connection: object


@contextlib.contextmanager
def new_slot(params, name):
    """Create the logical slot ``name`` (pgoutput) and yield its SlotStart; close the connection after.

    Import ``snapshot`` (SET TRANSACTION SNAPSHOT) before leaving the ``with`` block: the snapshot ends
    when the replication connection closes. The slot itself stays (it is not temporary).
    """
    conn = replication_connect(params)
    try:
        with conn.cursor() as cur:
            cur.create_replication_slot(name, output_plugin="pgoutput")
            slot_name, consistent_point, snapshot, _plugin = cur.fetchone()
        yield SlotStart(slot_name, consistent_point, snapshot, conn)
    finally:
        conn.close()


def drop(cur, name):
    """Drop our slot (ending the session that streams from it) and the publication; what was dropped."""
    dropped = []
    cur.execute(
        "SELECT pg_catalog.pg_terminate_backend(active_pid) FROM pg_catalog.pg_replication_slots"
        " WHERE slot_name = %s AND active_pid IS NOT NULL",
        (name,),
    )
    cur.execute("SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name = %s", (name,))
    if cur.fetchone()[0]:
        _drop_slot(cur, name)
        dropped.append(f"slot {name}")
    cur.execute("SELECT count(*) FROM pg_catalog.pg_publication WHERE pubname = %s", (name,))
    if cur.fetchone()[0]:
        cur.execute(sql.SQL("DROP PUBLICATION {}").format(sql.Identifier(name)))
        dropped.append(f"publication {name}")
    return dropped


def _drop_slot(cur, name, attempts=50):
    """pg_drop_replication_slot, once the terminated walsender has let go of it."""
    import time

    for attempt in range(attempts):
        try:
            cur.execute("SELECT pg_catalog.pg_drop_replication_slot(%s)", (name,))
            return
        except psycopg2.errors.ObjectInUse:
            if attempt == attempts - 1:
                raise SlotError(
                    f"replication slot {name} is still in use by another session: stop the sync that streams "
                    "from it (or pg_terminate_backend its active_pid) and drop it again"
                ) from None
            time.sleep(0.1)


def publication_exists(cur, name):
    cur.execute("SELECT count(*) FROM pg_catalog.pg_publication WHERE pubname = %s", (name,))
    return bool(cur.fetchone()[0])


def current_lsn(cur):
    cur.execute("SELECT pg_catalog.pg_current_wal_lsn()::text")
    return cur.fetchone()[0]


def slot_tables(cur, options):
    """The tables the dump copies (its schemas and exclusions), each with its primary key."""
    from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump import dumper

    return [
        {"schema": schema, "name": name, "primary_key": dumper.primary_key(cur, oid)}
        for schema, name, oid in dumper.list_tables(cur, options.schemas, options.exclude_schemas)
    ]


def check_source(admin, name, options):
    """Refuse a source with one of our slots, a missing prerequisite or a table without key; its tables."""
    with admin.cursor() as cur:
        refuse_existing(our_slots(cur))
        problems = prerequisite_problems(cur)
        if problems:
            raise SlotError(
                "the source cannot stream its changes: " + "; ".join(problems) + ". Nothing was changed."
            )
        return publication_tables(slot_tables(cur, options))


def dump_from_new_slot(conn, params, options, name, admin):
    """Publication + slot ``name``, then the dump inside the slot's snapshot; run_dump's result with the slot.

    ``admin`` is a second, autocommit connection to the source (``conn`` holds the dump's transaction).
    A dump that fails drops the slot and the publication again: nothing is left that keeps WAL.
    """
    import dataclasses

    from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump import dumper

    check_name(name)
    tables = check_source(admin, name, options)
    if options.check_mode:
        result = dumper.run_dump(conn, params, options)
        return dict(result, changed=True, replication_slot=None, slots=[])
    created = []  # what a failure removes again: only what this run created
    try:
        with admin.cursor() as cur:
            if publication_exists(cur, name):  # left by a run that failed before its slot existed
                cur.execute(sql.SQL("DROP PUBLICATION {}").format(sql.Identifier(name)))
            create_publication(cur, name, tables)
            created.append("publication")
        with new_slot(params, name) as start:
            created.append("slot")
            replication = {
                "slot": start.name,
                "publication": name,
                "consistent_point": start.consistent_point,
                "snapshot": start.snapshot,
            }
            options = dataclasses.replace(options, snapshot=start.snapshot, replication=replication)
            result = dumper.run_dump(conn, params, options)
    except BaseException:
        with contextlib.suppress(Exception), admin.cursor() as cur:
            if "slot" in created:
                drop(cur, name)
            elif created:
                cur.execute(sql.SQL("DROP PUBLICATION {}").format(sql.Identifier(name)))
        raise
    with admin.cursor() as cur:
        slots = [s.as_dict() for s in our_slots(cur)]
    return dict(result, replication_slot=replication, consistent_point=start.consistent_point, slots=slots)
