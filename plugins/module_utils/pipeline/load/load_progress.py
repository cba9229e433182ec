# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load progress recorded ON THE TARGET, in the same transaction as the work it describes.

One row per step (``pre-data``, ``data:<schema>.<table>``, ``post-data``, ``sequences``, ``verified``,
``finished``) says how far that step got (statements executed, or rows loaded and the byte offset in the data
file) for which dump (``manifest_digest``). Because a batch and its progress row commit together, a
load killed at any point resumes exactly where the last commit left it: no row twice, none lost.

The ``finished`` row is written last, in the transaction that records the verification (or, without
verification, alone after the sequences): a target that has it holds a whole load of that dump and
is never taken for an unfinished earlier attempt.
"""

from __future__ import annotations

from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog

try:
    from psycopg2 import sql

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - reported by the modules with missing_required_lib()
    HAS_PSYCOPG2 = False

DEFAULT_SCHEMA = catalog.PROGRESS_SCHEMA
TABLE = "load_progress"
DONE = "done"
RUNNING = "running"
FINISHED = "finished"
# A time as text that does not depend on the session's TimeZone (PGTZ, PGOPTIONS), so two sessions agree.
UTC_TEXT = "(({}) AT TIME ZONE 'UTC')::text"


def _table(schema):
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(TABLE))


def ensure_table(cur, schema=DEFAULT_SCHEMA):
    """Create the progress schema and table if missing (portable SQL: PostgreSQL and CockroachDB)."""
    cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    cur.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " step TEXT PRIMARY KEY,"
            " manifest_digest TEXT NOT NULL,"
            " status TEXT NOT NULL,"
            " position BIGINT NOT NULL DEFAULT 0,"
            " byte_offset BIGINT NOT NULL DEFAULT 0,"
            " batches BIGINT NOT NULL DEFAULT 0,"
            " updated_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        ).format(_table(schema))
    )


def table_exists(cur, schema=DEFAULT_SCHEMA):
    cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
        (schema, TABLE),
    )
    return cur.fetchone()[0] > 0


def read(cur, schema=DEFAULT_SCHEMA):
    """{step: {manifest_digest, status, position, byte_offset, batches, updated_at (UTC)}}; {} if none."""
    if not table_exists(cur, schema):
        return {}
    cur.execute(
        sql.SQL(
            "SELECT step, manifest_digest, status, position, byte_offset, batches,"
            f" {UTC_TEXT.format('updated_at')} FROM {{}}"
        ).format(_table(schema))
    )
    keys = ("manifest_digest", "status", "position", "byte_offset", "batches", "updated_at")
    return {row[0]: dict(zip(keys, row[1:])) for row in cur.fetchall()}  # noqa: B905 - hosts with Python < 3.10


def summary(progress):
    """What the progress rows say about the target: ``{"state", "manifest_digest", "finished_at"}``.

    ``state`` is ``none`` (no progress), ``unfinished`` (an interrupted or failed load) or ``finished``.
    Progress written before the ``finished`` row existed counts as finished once it was verified.
    """
    if not progress:
        return {"state": "none", "manifest_digest": None, "finished_at": None}
    marker = progress.get(FINISHED) or progress.get("verified")
    if marker and marker["status"] == DONE:
        return {
            "state": "finished",
            "manifest_digest": marker["manifest_digest"],
            "finished_at": marker.get("updated_at"),
        }
    digests = sorted({row["manifest_digest"] for row in progress.values()})
    return {"state": "unfinished", "manifest_digest": ",".join(digests), "finished_at": None}


def record(cur, step, digest, status, position=0, byte_offset=0, batches=0, schema=DEFAULT_SCHEMA):
    """Upsert one step's progress in the caller's transaction."""
    cur.execute(
        sql.SQL(
            "INSERT INTO {} (step, manifest_digest, status, position, byte_offset, batches, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, now())"
            " ON CONFLICT (step) DO UPDATE SET manifest_digest = excluded.manifest_digest,"
            " status = excluded.status, position = excluded.position,"
            " byte_offset = excluded.byte_offset, batches = excluded.batches, updated_at = now()"
        ).format(_table(schema)),
        (step, digest, status, position, byte_offset, batches),
    )


def clear(cur, schema=DEFAULT_SCHEMA):
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_table(schema)))


def data_step(schema, name):
    return f"data:{schema}.{name}"
