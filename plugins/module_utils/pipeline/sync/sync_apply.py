# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""metastore_sync's logic: stream a pgoutput slot from the source and apply it to the target, exactly once.

The target holds the sync's state in ``<state schema>.sync_state`` (one row per slot: the commit LSN and
end LSN of the last source transaction applied) and ``sync_touched`` (the primary key of every row the
sync wrote, for the cutover's row check). Every target transaction applies whole source transactions
(one or more, in commit order) AND upserts the state row, so:

- a kill -9 at any moment leaves the target at the end of some source transaction, with its LSN;
- on resume, the stream starts at the stored end LSN and every transaction whose commit LSN is not
  above the stored one is skipped (the source may send it again: it only learns what we confirmed);
- the source is told (flush_lsn) only what the target has committed, so it keeps the WAL of everything
  else.

Writes use forms PostgreSQL and CockroachDB both accept (INSERT ... ON CONFLICT (pk) DO UPDATE,
DELETE by primary key); a replicated TRUNCATE takes cockroachdb_rules.truncate_form. A batch is retried
on 40001 with connection.run_transaction, and redone after a lost target connection (its transactions
already committed are then skipped by LSN).

Lag: ``lag_bytes`` is the source's current WAL position minus the position the applier has confirmed
(the last applied transaction's end, or, with nothing received and unapplied, the position the source
says it has sent); ``lag_seconds`` is the age (by the source's commit time) of the oldest transaction
received but not yet applied, 0 when there is none.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import os
import select
import time
from dataclasses import dataclass, field

from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog, cockroachdb_rules
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import (
    connect,
    connection_lost,
    run_transaction,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync import pgoutput as po
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync import sync_slot

try:
    import psycopg2
    import psycopg2.errors
    import psycopg2.extras
    from psycopg2 import sql

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - reported by the modules with missing_required_lib()
    HAS_PSYCOPG2 = False

MODES = ("catch_up", "drain", "verify", "sequences", "drop", "status")
STATE_TABLE, TOUCHED_TABLE = catalog.SYNC_STATE_TABLES
DRAIN_MESSAGE_PREFIX = "airflow_ops.drain"


class SyncError(Exception):
    """The sync cannot go on; the message says what to do."""


@dataclass(frozen=True)
class SyncOptions:
    """metastore_sync's options of the same names (their defaults are these)."""

    slot: str = sync_slot.DEFAULT_SLOT
    mode: str = "catch_up"
    start_lsn: str | None = None  # the dump's consistent_point, used while the target has no state
    batch_rows: int = 2000
    batch_seconds: float = 1.0
    max_lag_bytes: int = 1 << 20
    max_lag_seconds: float = 5.0
    timeout_seconds: float = 3600.0
    state_schema: str = catalog.PROGRESS_SCHEMA
    progress_log: str | None = None
    progress_interval_seconds: float = 5.0
    reconnect_attempts: int = 5
    alembic_revision: str | None = None  # the dump's; mode=verify refuses a source upgraded since
    check_mode: bool = False

    @classmethod
    def from_params(cls, params, check_mode):
        """The module's options of the same names (every field but check_mode is an option)."""
        names = [f.name for f in dataclasses.fields(cls) if f.name != "check_mode"]
        return cls(check_mode=check_mode, **{name: params[name] for name in names})


# --- state on the target ------------------------------------------------------------------------------


def _name(schema, table):
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))


def ensure_state_tables(cur, schema):
    """The state and touched-keys tables (portable SQL: PostgreSQL and CockroachDB)."""
    cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    cur.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (slot TEXT PRIMARY KEY, commit_lsn BIGINT NOT NULL,"
            " end_lsn BIGINT NOT NULL, commit_time TIMESTAMPTZ, transactions BIGINT NOT NULL DEFAULT 0,"
            " changes BIGINT NOT NULL DEFAULT 0, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        ).format(_name(schema, STATE_TABLE))
    )
    cur.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (slot TEXT NOT NULL, table_schema TEXT NOT NULL,"
            " table_name TEXT NOT NULL, key_text TEXT NOT NULL,"
            " PRIMARY KEY (slot, table_schema, table_name, key_text))"
        ).format(_name(schema, TOUCHED_TABLE))
    )


@dataclass(frozen=True)
class State:
    commit_lsn: int = 0
    end_lsn: int = 0
    transactions: int = 0
    changes: int = 0


def read_state(cur, schema, slot):
    """The slot's applied position on the target (State() when the sync never applied anything)."""
    cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
        (schema, STATE_TABLE),
    )
    if not cur.fetchone()[0]:
        return State()
    cur.execute(
        sql.SQL("SELECT commit_lsn, end_lsn, transactions, changes FROM {} WHERE slot = %s").format(
            _name(schema, STATE_TABLE)
        ),
        (slot,),
    )
    row = cur.fetchone()
    return State(*(int(v) for v in row)) if row else State()


def _write_state(cur, schema, slot, state, commit_time):
    cur.execute(
        sql.SQL(
            "INSERT INTO {} (slot, commit_lsn, end_lsn, commit_time, transactions, changes, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, now()) ON CONFLICT (slot) DO UPDATE SET"
            " commit_lsn = excluded.commit_lsn, end_lsn = excluded.end_lsn,"
            " commit_time = excluded.commit_time, transactions = excluded.transactions,"
            " changes = excluded.changes, updated_at = now()"
        ).format(_name(schema, STATE_TABLE)),
        (slot, state.commit_lsn, state.end_lsn, commit_time, state.transactions, state.changes),
    )


def _record_touched(cur, schema, slot, touched):
    if not touched:
        return
    psycopg2.extras.execute_values(
        cur,
        sql.SQL("INSERT INTO {} (slot, table_schema, table_name, key_text) VALUES %s ON CONFLICT DO NOTHING")
        .format(_name(schema, TOUCHED_TABLE))
        .as_string(cur),
        [(slot, s, t, key) for (s, t, key) in sorted(touched)],
        page_size=500,
    )


def touched_keys(cur, schema, slot):
    """{(schema, table): [key texts (tuples of the primary key's text forms)]} the sync wrote."""
    cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
        (schema, TOUCHED_TABLE),
    )
    if not cur.fetchone()[0]:
        return {}
    cur.execute(
        sql.SQL("SELECT table_schema, table_name, key_text FROM {} WHERE slot = %s ORDER BY 1, 2, 3").format(
            _name(schema, TOUCHED_TABLE)
        ),
        (slot,),
    )
    keys = {}
    for table_schema, table_name, key_text in cur.fetchall():
        keys.setdefault((table_schema, table_name), []).append(tuple(json.loads(key_text)))
    return keys


def clear_state(cur, schema, slot):
    for table in (STATE_TABLE, TOUCHED_TABLE):
        cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (schema, table),
        )
        if cur.fetchone()[0]:
            cur.execute(sql.SQL("DELETE FROM {} WHERE slot = %s").format(_name(schema, table)), (slot,))


# --- turning decoded changes into statements ----------------------------------------------------------


def target_primary_key(cur, schema, name):
    """The primary key's columns in order, from information_schema (PostgreSQL and CockroachDB)."""
    cur.execute(
        "SELECT k.column_name FROM information_schema.table_constraints c"
        " JOIN information_schema.key_column_usage k ON k.constraint_schema = c.constraint_schema"
        " AND k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema"
        " AND k.table_name = c.table_name"
        " WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = %s AND c.table_name = %s"
        " ORDER BY k.ordinal_position",
        (schema, name),
    )
    return tuple(row[0] for row in cur.fetchall())


@dataclass(frozen=True)
class Change:
    """One row change, ready to apply: what to write, and the keys it touches (as texts)."""

    sql: object
    args: tuple
    touched: tuple  # ((schema, table, key_json), ...)


def _values(relation, values):
    return {column.name: value for column, value in zip(relation.columns, values)}  # noqa: B905


def _key_json(key_columns, row, where):
    texts = []
    for column in key_columns:
        value = row.get(column)
        if value is None or value.kind != po.TEXT:
            raise SyncError(
                f"{where}: the change carries no value for primary-key column {column}: the table's replica "
                "identity must be its primary key (REPLICA IDENTITY DEFAULT) or FULL"
            )
        texts.append(value.text)
    return json.dumps(texts, ensure_ascii=False, separators=(",", ":")), tuple(texts)


def _text(value):
    return None if value.kind == po.NULL else value.text


def upsert(relation, key_columns, new):
    """INSERT ... ON CONFLICT (pk) DO UPDATE of a whole new row (no unchanged-TOAST column)."""
    row = _values(relation, new)
    columns = list(row)
    table = _name(relation.namespace, relation.name)
    others = [c for c in columns if c not in key_columns]
    action = (
        sql.SQL("DO UPDATE SET {}").format(
            sql.SQL(", ").join(
                sql.SQL("{} = excluded.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in others
            )
        )
        if others
        else sql.SQL("DO NOTHING")
    )
    statement = sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) {}").format(
        table,
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.SQL(", ").join(sql.Placeholder() for _c in columns),
        sql.SQL(", ").join(sql.Identifier(c) for c in key_columns),
        action,
    )
    key_json, _texts = _key_json(key_columns, row, f"{relation.namespace}.{relation.name}")
    return Change(
        statement, tuple(_text(row[c]) for c in columns), ((relation.namespace, relation.name, key_json),)
    )


def _where_key(key_columns, texts):
    return sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in key_columns), texts


def delete(relation, key_columns, old):
    row = _values(relation, old)
    key_json, texts = _key_json(key_columns, row, f"{relation.namespace}.{relation.name}")
    where, args = _where_key(key_columns, texts)
    statement = sql.SQL("DELETE FROM {} WHERE {}").format(_name(relation.namespace, relation.name), where)
    return Change(statement, args, ((relation.namespace, relation.name, key_json),))


def update(relation, key_columns, message):
    """An Update: an upsert of the new row, after a delete of the old key when the key changed; a plain
    UPDATE of the sent columns when some column is an unchanged TOAST value (its value is not sent)."""
    where_name = f"{relation.namespace}.{relation.name}"
    new = _values(relation, message.new)
    new_key_json, _new_texts = _key_json(key_columns, new, where_name)
    old_changes = []
    old_key_json = new_key_json
    if message.old is not None:
        old_key_json, old_texts = _key_json(key_columns, _values(relation, message.old), where_name)
    if any(v.kind == po.UNCHANGED_TOAST for v in message.new):
        sent = [c for c, v in new.items() if v.kind != po.UNCHANGED_TOAST]
        old_texts = tuple(json.loads(old_key_json))
        where, args = _where_key(key_columns, old_texts)
        statement = sql.SQL("UPDATE {} SET {} WHERE {}").format(
            _name(relation.namespace, relation.name),
            sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in sent),
            where,
        )
        touched = {(relation.namespace, relation.name, k) for k in (old_key_json, new_key_json)}
        return [Change(statement, tuple(_text(new[c]) for c in sent) + args, tuple(sorted(touched)))]
    if old_key_json != new_key_json:
        old_changes.append(delete(relation, key_columns, message.old))
    return [*old_changes, upsert(relation, key_columns, message.new)]


def truncate(relations, form):
    statements = []
    for relation in relations:
        table = _name(relation.namespace, relation.name)
        statements.append(
            Change(sql.SQL("DELETE FROM {}").format(table), (), ())
            if form == "DELETE"
            else Change(sql.SQL("TRUNCATE {}").format(table), (), ())
        )
    if form != "DELETE" and statements:  # one TRUNCATE of all: foreign keys between them are no obstacle
        tables = sql.SQL(", ").join(_name(r.namespace, r.name) for r in relations)
        return [Change(sql.SQL("TRUNCATE {}").format(tables), (), ())]
    return statements


# --- the source transactions ----------------------------------------------------------------------


@dataclass
class Transaction:
    begin: po.Begin
    changes: list = field(default_factory=list)
    commit: po.Commit | None = None
    received_at: float = 0.0

    @property
    def commit_lsn(self):
        return self.begin.final_lsn


# --- progress -----------------------------------------------------------------------------------------


class ProgressLog:
    """Progress lines an operator can ``tail -f`` (one per interval and one at the end); no secrets."""

    def __init__(self, path, interval, clock=time.monotonic):
        self.path, self.interval, self.clock = path, interval, clock
        self.last = None
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)

    def line(self, text, force=False):
        now = self.clock()
        if not self.path or (not force and self.last is not None and now - self.last < self.interval):
            return
        self.last = now
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: UP017
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(f"{stamp} {text}\n")


# --- the applier --------------------------------------------------------------------------------------


class Applier:
    """Streams one slot into one target until the mode's end condition; see the module docstring."""

    def __init__(self, source_params, target_params, options, clock=time.monotonic):
        self.source_params, self.target_params, self.options, self.clock = (
            source_params,
            target_params,
            options,
            clock,
        )
        self.started = clock()
        self.relations = {}
        self.key_columns = {}
        self.open_txn = None
        self.batch = []
        self.batch_changes = 0
        self.applied_transactions = 0
        self.applied_changes = 0
        self.skipped_transactions = 0
        self.batches = 0
        self.reconnects = {"source": 0, "target": 0}
        self.position = 0  # what the source may forget: the target has everything before it
        self.lag_bytes = None
        self.lag_seconds = 0.0
        self.source_lsn = None
        self.progress = ProgressLog(options.progress_log, options.progress_interval_seconds, clock)
        self.target = None
        self.admin = None
        self.stream = None
        self.state = State()
        self.form = "TRUNCATE"
        self.drain_lsn = None

    # connections ---------------------------------------------------------------------------------

    def open_target(self):
        self.target = connect(self.target_params)
        with self.target.cursor() as cur:
            cur.execute("SELECT version()")
            version = cur.fetchone()[0]
        self.target.rollback()
        self.form = cockroachdb_rules.truncate_form(catalog.is_cockroachdb_version(version))
        self.key_columns = {}

        def work(cur):
            ensure_state_tables(cur, self.options.state_schema)
            return read_state(cur, self.options.state_schema, self.options.slot)

        self.state = run_transaction(self.target, work)

    def open_stream(self):
        """Start streaming at the stored end LSN (or the dump's consistent point); retry a slot still busy."""
        consistent = po.parse_lsn(self.options.start_lsn) if self.options.start_lsn else 0
        if self.state.end_lsn and self.state.end_lsn < consistent:
            raise SyncError(
                f"the target's sync state for {self.options.slot} ends at "
                f"{po.format_lsn(self.state.end_lsn)}, before this dump's consistent point "
                f"{self.options.start_lsn}: it is left from an earlier sync. "
                "Load the dump into a fresh target (or drop the schema's sync_state rows) and run again"
            )
        start = self.state.end_lsn or consistent
        self.position = max(self.position, start)
        deadline = self.clock() + 30
        while True:
            conn = sync_slot.replication_connect(self.source_params)
            try:
                cur = conn.cursor()
                cur.start_replication(
                    slot_name=self.options.slot,
                    decode=False,
                    start_lsn=start,
                    options={"proto_version": "1", "publication_names": self.options.slot},
                    status_interval=1,
                )
                self.stream = cur
                self.open_txn = None
                return
            except psycopg2.errors.ObjectInUse:
                conn.close()
                if self.clock() > deadline:
                    raise SyncError(
                        f"replication slot {self.options.slot} is in use by another session for 30 s: "
                        "another "
                        "metastore_sync streams from it; stop it (or wait for it) and run again"
                    ) from None
                time.sleep(0.2)
            except psycopg2.errors.UndefinedObject as exc:
                conn.close()
                raise SyncError(
                    f"{exc.diag.message_primary}: create the slot with metastore_dump replication_slot="
                    f"{self.options.slot} (it dumps from the slot's snapshot) and load that dump first"
                ) from None

    def close(self):
        for conn in (getattr(self.stream, "connection", None), self.target, self.admin):
            if conn is not None and not conn.closed:
                conn.close()

    # the loop ------------------------------------------------------------------------------------

    def run(self):
        self.admin = connect(self.source_params, autocommit=True)
        with self.admin.cursor() as cur:
            slot = sync_slot.find_slot(cur, self.options.slot)
        if slot is None:
            raise SyncError(
                f"no replication slot {self.options.slot} on the source: start the sync with metastore_dump "
                f"replication_slot={self.options.slot}, load that dump, then run metastore_sync"
            )
        self.open_target()
        if self.options.mode == "drain":
            self.drain_lsn = self._start_drain()
        self.open_stream()
        self._measure_lag()
        deadline = self.started + self.options.timeout_seconds
        last_lag_check = self.clock()
        while True:
            self._receive_some()
            now = self.clock()
            if now - last_lag_check >= 0.5 or self._done():
                if self.open_txn is None:
                    self._flush()
                self._measure_lag()
                last_lag_check = now
                self._feedback(reply=True)
                self.progress.line(self._progress_text())
                if self._done():
                    self._flush()
                    self._feedback()
                    self.progress.line(self._progress_text() + " done", force=True)
                    return self.result()
            if now > deadline:
                self.progress.line(self._progress_text() + " timed out", force=True)
                raise SyncError(self._timeout_message())

    def _start_drain(self):
        """The source's current LSN (writers stopped), then a WAL record after it so the stream passes it."""
        with self.admin.cursor() as cur:
            cur.execute("SELECT pg_catalog.pg_current_wal_lsn()::text")
            target = cur.fetchone()[0]
            # Non-transactional and ignored by pgoutput without its 'messages' option: it only makes the
            # server decode past the target, so the stream's wal_end reaches it without waiting for other WAL.
            cur.execute(
                "SELECT pg_catalog.pg_logical_emit_message(false, %s, %s)", (DRAIN_MESSAGE_PREFIX, target)
            )
        self.progress.line(f"drain to {target}", force=True)
        return po.parse_lsn(target)

    def _done(self):
        if self.open_txn is not None:
            return False
        if self.options.mode == "drain":
            return max(self.position, self._wal_end()) >= self.drain_lsn and not self._pending_below_drain()
        return (
            self.lag_bytes is not None
            and self.lag_bytes <= self.options.max_lag_bytes
            and self.lag_seconds <= self.options.max_lag_seconds
        )

    def _pending_below_drain(self):
        return any(t.commit_lsn <= self.drain_lsn for t in self.batch)

    def _wal_end(self):
        return getattr(self.stream, "wal_end", 0) or 0

    def _receive_some(self):
        """Read what the source has sent (up to a batch), flushing full batches; wait briefly when idle."""
        try:
            for _index in range(self.options.batch_rows * 2):
                message = self.stream.read_message()
                if message is None:
                    if (
                        self.batch
                        and self.open_txn is None
                        and self._batch_age() >= self.options.batch_seconds
                    ):
                        self._flush()
                    select.select([self.stream], [], [], 0.1)
                    return
                self._handle(po.decode(message.payload))
        except psycopg2.Error as exc:
            if not connection_lost(exc, self.stream.connection):
                raise
            self._source_lost(exc)

    def _batch_age(self):
        return self.clock() - self.batch[0].received_at if self.batch else 0.0

    def _handle(self, message):
        if isinstance(message, po.Relation):
            self.relations[message.oid] = message
        elif isinstance(message, po.Begin):
            self.open_txn = Transaction(message, received_at=self.clock())
        elif isinstance(message, (po.Insert, po.Update, po.Delete, po.Truncate)):
            if self.open_txn is None:
                raise SyncError(
                    "a change arrived outside a transaction: the stream is not pgoutput protocol 1"
                )
            self.open_txn.changes.append(message)
        elif isinstance(message, po.Commit):
            txn, self.open_txn = self.open_txn, None
            txn.commit = message
            self._committed(txn)

    def _committed(self, txn):
        if txn.commit_lsn <= self.state.commit_lsn:  # applied before a kill or a lost connection
            self.skipped_transactions += 1
            return
        if self.drain_lsn is not None and txn.commit_lsn > self.drain_lsn:
            return  # after the drain point: left in the slot (not confirmed) for a later run
        self.batch.append(txn)
        self.batch_changes += len(txn.changes)
        if self.batch_changes >= self.options.batch_rows:
            self._flush()

    # applying ------------------------------------------------------------------------------------

    def _key_columns(self, cur, relation):
        key = (relation.namespace, relation.name)
        if key not in self.key_columns:
            columns = target_primary_key(cur, *key)
            if not columns:
                raise SyncError(
                    f"{relation.namespace}.{relation.name} has no primary key on the target: the sync "
                    "applies "
                    "changes by primary key; load the dump's post-data (metastore_load) before syncing"
                )
            self.key_columns[key] = columns
        return self.key_columns[key]

    def statements(self, cur, message):
        if isinstance(message, po.Truncate):
            return truncate([self.relations[oid] for oid in message.relation_oids], self.form)
        relation = self.relations[message.relation_oid]
        key_columns = self._key_columns(cur, relation)
        if isinstance(message, po.Insert):
            return [upsert(relation, key_columns, message.new)]
        if isinstance(message, po.Update):
            return update(relation, key_columns, message)
        return [delete(relation, key_columns, message.old)]

    def _flush(self):
        """Apply the batch in ONE target transaction with the state row; retry 40001 and lost connections."""
        if not self.batch:
            return
        for attempt in range(self.options.reconnect_attempts + 1):
            batch = [t for t in self.batch if t.commit_lsn > self.state.commit_lsn]
            if not batch:
                break
            try:
                self.state = run_transaction(self.target, lambda cur, batch=batch: self._apply(cur, batch))
                self.applied_transactions += len(batch)
                self.applied_changes += sum(len(t.changes) for t in batch)
                self.batches += 1
                break
            except psycopg2.Error as exc:
                if not connection_lost(exc, self.target) or attempt == self.options.reconnect_attempts:
                    raise
                self.reconnects["target"] += 1
                self.progress.line(
                    f"target connection lost ({' '.join(str(exc).split())}); reconnecting", True
                )
                time.sleep(min(5.0, 0.2 * 2**attempt))
                self._reopen_target()
        self.batch, self.batch_changes = [], 0
        # Confirmed to the source with the next status update (every 0.5 s, as a subscriber's status
        # interval), not after each batch: a kill in between makes the source send committed transactions
        # again, and the LSN skip in _committed drops them.
        self.position = max(self.position, self.state.end_lsn)

    def _reopen_target(self):
        try:
            if self.target is not None:
                self.target.close()
            self.open_target()  # re-reads the state: what the lost transaction committed is then skipped
        except Exception as exc:  # the server may still be coming back: the next attempt retries
            self.progress.line(f"target not reachable yet: {' '.join(str(exc).split())}", True)

    def _apply(self, cur, batch):
        touched = set()
        changes = 0
        for txn in batch:
            for message in txn.changes:
                for change in self.statements(cur, message):
                    cur.execute(change.sql, change.args)
                    touched.update(change.touched)
                    changes += 1
        last = batch[-1]
        state = State(
            last.commit_lsn,
            last.commit.end_lsn,
            self.state.transactions + len(batch),
            self.state.changes + changes,
        )
        _record_touched(cur, self.options.state_schema, self.options.slot, touched)
        _write_state(cur, self.options.state_schema, self.options.slot, state, last.commit.commit_time)
        return state

    # source side ---------------------------------------------------------------------------------

    def _feedback(self, reply=False):
        """Confirm to the source what the target holds; with nothing pending, what the source has sent."""
        if self.open_txn is None and not self.batch:
            wal_end = self._wal_end()
            if self.drain_lsn is None or wal_end <= self.drain_lsn:
                self.position = max(self.position, wal_end)
        if not self.position:
            return
        try:
            self.stream.send_feedback(flush_lsn=self.position, reply=reply)
        except psycopg2.Error as exc:
            if not connection_lost(exc, self.stream.connection):
                raise
            self._source_lost(exc)

    def _source_lost(self, exc):
        """The replication connection dropped: apply what arrived whole, then stream again from the state."""
        if self.reconnects["source"] >= self.options.reconnect_attempts:
            raise SyncError(
                f"the replication connection to the source was lost {self.reconnects['source'] + 1} times "
                f"(last: {' '.join(str(exc).split())}): check the source and run again; the slot and the "
                "target's state are kept, so the next run resumes"
            ) from None
        self.reconnects["source"] += 1
        self.progress.line(
            f"source replication connection lost ({' '.join(str(exc).split())}); resuming", True
        )
        self.open_txn = None
        self._flush_without_feedback()
        with_backoff = min(5.0, 0.2 * 2 ** self.reconnects["source"])
        time.sleep(with_backoff)
        with contextlib.suppress(psycopg2.Error):
            self.stream.connection.close()
        self.open_stream()

    def _flush_without_feedback(self):
        stream, self.stream = self.stream, _NoFeedback()
        try:
            self._flush()
        finally:
            self.stream = stream

    def _measure_lag(self):
        try:
            with self.admin.cursor() as cur:
                cur.execute("SELECT pg_catalog.pg_current_wal_lsn()::text")
                self.source_lsn = po.parse_lsn(cur.fetchone()[0])
        except psycopg2.Error as exc:
            if not connection_lost(exc, self.admin):
                raise
            self.admin = connect(self.source_params, autocommit=True)
            return
        self.lag_bytes = max(0, self.source_lsn - self.position)
        pending = self.batch[:1] or ([self.open_txn] if self.open_txn else [])
        if pending:
            age = datetime.datetime.now(datetime.timezone.utc) - pending[0].begin.commit_time  # noqa: UP017
            self.lag_seconds = max(0.0, age.total_seconds())
        else:
            self.lag_seconds = 0.0

    # reporting -----------------------------------------------------------------------------------

    def rows_per_second(self):
        elapsed = self.clock() - self.started
        return round(self.applied_changes / elapsed, 1) if elapsed > 0 else 0.0

    def _progress_text(self):
        return (
            f"{self.options.mode} slot={self.options.slot} applied_transactions={self.applied_transactions} "
            f"rows_applied={self.applied_changes} rows_per_second={self.rows_per_second()} "
            f"lag_bytes={self.lag_bytes} lag_seconds={round(self.lag_seconds, 1)} "
            f"position={po.format_lsn(self.position)} skipped={self.skipped_transactions}"
        )

    def _timeout_message(self):
        if self.options.mode == "drain":
            return (
                f"the drain did not reach {po.format_lsn(self.drain_lsn)} within "
                f"{self.options.timeout_seconds} s "
                f"(at {po.format_lsn(self.position)}): are all writers stopped? Run again to resume"
            )
        return (
            f"the sync did not catch up within {self.options.timeout_seconds} s: lag {self.lag_bytes} bytes, "
            f"{round(self.lag_seconds, 1)} s (thresholds {self.options.max_lag_bytes} bytes, "
            f"{self.options.max_lag_seconds} s), {self.rows_per_second()} rows/s. The writers change more "
            "than "
            "the target takes in: raise timeout_seconds or batch_rows, or run again (it resumes)"
        )

    def result(self):
        return {
            "changed": self.applied_transactions > 0,
            "mode": self.options.mode,
            "slot": self.options.slot,
            "applied_transactions": self.applied_transactions,
            "rows_applied": self.applied_changes,
            "skipped_transactions": self.skipped_transactions,
            "batches": self.batches,
            "rows_per_second": self.rows_per_second(),
            "lag_bytes": self.lag_bytes,
            "lag_seconds": round(self.lag_seconds, 3),
            "applied_lsn": po.format_lsn(self.state.end_lsn) if self.state.end_lsn else None,
            "confirmed_lsn": po.format_lsn(self.position) if self.position else None,
            "drain_lsn": po.format_lsn(self.drain_lsn) if self.drain_lsn is not None else None,
            "reconnects": dict(self.reconnects),
            "elapsed_seconds": round(self.clock() - self.started, 3),
        }


class _NoFeedback:
    """Stands in for the stream while a lost one is replaced: nothing is confirmed to a dead connection."""

    wal_end = 0

    def send_feedback(self, **_kwargs):
        return None


def run_sync(source_params, target_params, options):
    """Run one mode (catch_up, drain); the module's result."""
    applier = Applier(source_params, target_params, options)
    try:
        result = applier.run()
        with applier.admin.cursor() as cur:
            result["slots"] = [s.as_dict() for s in sync_slot.our_slots(cur)]
        return result
    finally:
        applier.close()


def status(source_params, target_params, options):
    """What the sync stands at, without streaming (check mode, and mode=status)."""
    admin = connect(source_params, autocommit=True)
    try:
        with admin.cursor() as cur:
            slots = [s.as_dict() for s in sync_slot.our_slots(cur)]
            current = sync_slot.current_lsn(cur)
    finally:
        admin.close()
    target = connect(target_params)
    try:
        with target.cursor() as cur:
            state = read_state(cur, options.state_schema, options.slot)
        target.rollback()
    finally:
        target.close()
    position = state.end_lsn or (po.parse_lsn(options.start_lsn) if options.start_lsn else 0)
    return {
        "changed": False,
        "mode": options.mode,
        "slot": options.slot,
        "slots": slots,
        "applied_lsn": po.format_lsn(state.end_lsn) if state.end_lsn else None,
        "applied_transactions": 0,
        "rows_applied": 0,
        "total_transactions": state.transactions,
        "total_rows": state.changes,
        "source_lsn": current,
        "lag_bytes": max(0, po.parse_lsn(current) - position) if position else None,
    }


def drop_sync(source_params, options):
    """The abort entry point: drop the slot and the publication; the target is left for inspection."""
    sync_slot.check_name(options.slot)
    admin = connect(source_params, autocommit=True)
    try:
        with admin.cursor() as cur:
            slot = sync_slot.find_slot(cur, options.slot)
            would = bool(slot) or sync_slot.publication_exists(cur, options.slot)
            dropped = [] if options.check_mode else sync_slot.drop(cur, options.slot)
            slots = [s.as_dict() for s in sync_slot.our_slots(cur)]
    finally:
        admin.close()
    return {
        "changed": bool(dropped) or (options.check_mode and would),
        "mode": "drop",
        "slot": options.slot,
        "dropped": dropped,
        "slots": slots,
    }
