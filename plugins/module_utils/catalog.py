# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which server and database a connection reaches, whatever host name or proxy it went through.

Host strings cannot tell whether two connections reach the same database ("db1", "10.0.0.5",
"localhost" and an HAProxy in front can all be one server). The server's own identity can:
PostgreSQL's ``system_identifier`` (pg_control_system(), set once by initdb; executable by every
role from PostgreSQL 10 on unless an administrator revoked it) or CockroachDB's cluster id, plus
the database name.
"""

from __future__ import annotations

import contextlib

# The schema metastore_load keeps its progress in on a target (load_progress): never dumped from a target
# dumped again, never compared with a source.
PROGRESS_SCHEMA = "airflow_ops"
# The online sync's state on the target (metastore_sync): where the target's rows stand in the source's
# stream. It describes the rows a load replaces, so a replacing load drops it with them (loader).
SYNC_STATE_TABLES = ("sync_state", "sync_touched")


def is_cockroachdb_version(version_text):
    return "cockroachdb" in (version_text or "").lower()


def server_identity(cur):
    """``{"kind", "server", "database", "method"}`` for the connection of ``cur`` (read-only queries).

    ``server`` is the system identifier or cluster id. Where pg_control_system() is not permitted the
    postmaster's start time (to the microsecond) stands in, and ``method`` says so: the same server
    always gives the same value, and two servers started in the same microsecond are not plausible.
    """
    cur.execute("SELECT version(), current_database()")
    version, database = cur.fetchone()
    if is_cockroachdb_version(version):
        cur.execute("SELECT crdb_internal.cluster_id()::text")
        return _identity("cockroachdb", cur.fetchone()[0], database, "crdb_internal.cluster_id()")
    cur.execute(
        "SELECT pg_catalog.to_regprocedure('pg_catalog.pg_control_system()') IS NOT NULL"
        " AND pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')"
    )
    if cur.fetchone()[0]:
        cur.execute("SELECT system_identifier::text FROM pg_catalog.pg_control_system()")
        return _identity("postgresql", cur.fetchone()[0], database, "pg_control_system().system_identifier")
    cur.execute("SELECT pg_catalog.pg_postmaster_start_time()::text")
    method = "pg_postmaster_start_time() (pg_control_system() is not permitted for this user)"
    return _identity("postgresql", "started " + cur.fetchone()[0], database, method)


def _identity(kind, server, database, method):
    return {"kind": kind, "server": server, "database": database, "method": method}


def same_database(first, second):
    """True when two identities name the same database on the same server (or cluster)."""
    keys = ("kind", "server", "database")
    return all(first.get(k) == second.get(k) for k in keys) and first.get("server") is not None


def describe_identity(identity):
    return f"{identity['kind']} server {identity['server']}, database {identity['database']}"


# Schemas of the servers themselves, never copied nor compared (PostgreSQL's, and CockroachDB's virtual ones),
# plus PostgreSQL's per-backend pg_toast*/pg_temp* schemas (matched by prefix in system_schema_filter).
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "crdb_internal", "pg_extension")


def system_schema_filter(column):
    """SQL condition that ``column`` is no system schema, for a query run with parameters (``%`` doubled)."""
    names = ", ".join(f"'{schema}'" for schema in SYSTEM_SCHEMAS)
    return (
        f"{column} NOT IN ({names}) AND {column} NOT LIKE 'pg\\_toast%%' AND {column} NOT LIKE 'pg\\_temp%%'"
    )


@contextlib.contextmanager
def read_snapshot(*conns, prepare=None):
    """Each connection of ``conns`` reads in one snapshot for the block: a new read-only REPEATABLE READ
    transaction (CockroachDB runs it as SERIALIZABLE, which is as strict), after ``prepare(conn)`` if given.

    The block's transactions are rolled back at its end, or on error, and each connection's isolation level
    and read-only setting are what they were before (psycopg2 connections).
    """
    previous = [(conn, conn.isolation_level, conn.readonly) for conn in conns]
    try:
        for conn in conns:
            conn.rollback()
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            if prepare is not None:
                prepare(conn)
        yield
    finally:
        for conn, isolation, readonly in previous:
            conn.rollback()
            conn.isolation_level = isolation  # None: the server's default again
            conn.readonly = readonly
