# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""metastore_load's logic: pre-data -> data in batches -> post-data -> sequences -> verify, resumable.

Every unit of work (a DDL statement, a COPY batch, the sequence values) commits in the same
transaction as its progress row (load_progress), so a load killed at any point resumes exactly
after the last commit. Where DDL cannot share a transaction with other writes (CockroachDB runs
schema changes asynchronously), ``ddl_in_transaction=False`` runs the statement alone first and,
on resume, accepts "already exists" for the one statement that may have run before the kill.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog
from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import run_transaction
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import copy_stream
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import manifest as mf
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.load import load_progress as lp
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.verify import verifier
from ansible_collections.airflow_ops.metastore.plugins.module_utils.sqlscript import (
    SqlScriptError,
    parse_statement,
    split_statements,
)

try:
    import psycopg2
    import psycopg2.errors
    from psycopg2 import sql

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - reported by the modules with missing_required_lib()
    HAS_PSYCOPG2 = False

# SQLSTATEs that mean "this DDL already ran": accepted only for the statement a kill may have interrupted.
_ALREADY_DONE = {"42P07", "42710", "42P06", "42701", "42P16"}
# Attempts of a transaction that fails with a serialization failure (40001) before the load gives up.
DEFAULT_RETRIES = 8


class LoadError(Exception):
    """The load cannot proceed; the message says what to do. The target stays resumable."""


@dataclass(frozen=True)
class LoadOptions:
    """How a load runs; metastore_load's options of the same names (their defaults are these)."""

    batch_rows: int = copy_stream.DEFAULT_BATCH_ROWS
    batch_bytes: int = copy_stream.DEFAULT_BATCH_BYTES
    # False where DDL cannot share a transaction with other writes (CockroachDB's default).
    ddl_in_transaction: bool = True
    progress_schema: str = catalog.PROGRESS_SCHEMA
    verify: bool = True
    retries: int = DEFAULT_RETRIES

    @classmethod
    def for_target(cls, params, conn):
        """From the module's parameters; ``ddl_in_transaction`` unset: true unless on CockroachDB."""
        ddl_in_transaction = params["ddl_in_transaction"]
        if ddl_in_transaction is None:
            ddl_in_transaction = not is_cockroachdb(conn)
        return cls(
            batch_rows=params["batch_rows"],
            batch_bytes=params["batch_bytes"],
            ddl_in_transaction=ddl_in_transaction,
            progress_schema=params["progress_schema"] or catalog.PROGRESS_SCHEMA,
            verify=params["verify"],
            retries=params["retries"],
        )


def verification_problem(manifest, verify):
    """Why this dump cannot be loaded as asked (None when it can): verifying needs the dump's checksums."""
    if verify and not mf.has_checksums(manifest):
        return (
            "the dump was taken with checksums=false, so the loaded content cannot be verified: dump again "
            "with checksums=true (the default), or load with verify=false (row counts are still checked)"
        )
    return None


def is_session_setting(statement):
    """pg_dump's SET lines and set_config() calls: re-run on every (re)connection, they change nothing."""
    text = statement.lstrip().lower()
    return text.startswith("set ") or (text.startswith("select") and "set_config(" in text)


def is_cockroachdb(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT version()")
        return "cockroachdb" in cur.fetchone()[0].lower()


def read_schema(schema_dir, section):
    path = os.path.join(schema_dir, f"{section}.sql")
    if not os.path.isfile(path):
        raise LoadError(
            f"{path} is missing: pass schema_dir with the (rewritten) pre-data.sql and post-data.sql"
        )
    with open(path, encoding="utf-8") as handle:
        return split_statements(handle.read())


class Loader:
    """One load run against one target connection (autocommit off)."""

    def __init__(self, conn, dump_dir, manifest, schema_dir, options):
        self.conn = conn
        self.dump_dir = dump_dir
        self.manifest = manifest
        self.schema_dir = schema_dir
        self.options = options
        self.progress_schema = options.progress_schema
        self.digest = mf.content_digest(manifest)
        self.progress = {}
        self.executed = []
        self.batches = 0
        self.retries = 0
        self.loaded_tables = []
        self.resumed_from = {}
        self.identity = None
        self.finished_at = None

    def checkpoint(self, step, position):
        """Called after each unit of work committed: ``step`` at ``position`` (statements run, or batches).

        Also called as ``<step>-unrecorded`` when a statement ran alone (ddl_in_transaction=False) and its
        progress row is not committed yet. Does nothing: the fault-injection tests replace it on a Loader
        to stop the load at an exact point.
        """

    # --- transactions -------------------------------------------------------------------------
    def _transaction(self, work):
        """Run ``work(cur)`` and commit, retrying serialization failures (40001) with backoff."""

        def count_retry(_attempt, _exc):
            self.retries += 1

        return run_transaction(self.conn, work, attempts=self.options.retries, on_retry=count_retry)

    def _record(self, cur, step, status, position=0, byte_offset=0, batches=0):
        lp.record(cur, step, self.digest, status, position, byte_offset, batches, self.progress_schema)
        self.progress[step] = {
            "manifest_digest": self.digest,
            "status": status,
            "position": position,
            "byte_offset": byte_offset,
            "batches": batches,
        }

    def _done(self, step):
        return self.progress.get(step, {}).get("status") == lp.DONE

    # --- target state -------------------------------------------------------------------------
    def inspect(self):
        """(state, objects, reason): state is 'empty', 'resume', 'complete' or 'foreign' (other data)."""
        with self.conn.cursor() as cur:
            self.identity = catalog.server_identity(cur)
            self.progress = lp.read(cur, self.progress_schema)
            objects = verifier.user_objects(cur, [self.progress_schema])
        self.conn.rollback()
        digests = {p["manifest_digest"] for p in self.progress.values()}
        summary = lp.summary(self.progress)
        if self.progress and digests == {self.digest}:
            return ("complete" if summary["state"] == "finished" else "resume"), objects, None
        if summary["state"] == "finished":
            reason = (
                f"a finished load of another dump (finished at {summary['finished_at']}; it may be in use)"
            )
            return "foreign", objects, reason
        if self.progress:
            reason = (
                f"progress of an unfinished load of a different dump in {self.progress_schema}.{lp.TABLE}"
            )
            return "foreign", objects, reason
        if objects:
            return "foreign", objects, None
        return "empty", objects, None

    def dump_schemas(self):
        """The schemas this dump writes: those of its tables and sequences, and those pre-data creates."""
        schemas = {t["schema"] for t in self.manifest["tables"]} | {
            s["schema"] for s in self.manifest["sequences"]
        }
        for statement in read_schema(self.schema_dir, "pre-data"):
            try:
                parsed = parse_statement(statement)
            except SqlScriptError:
                continue  # not a CREATE SCHEMA we could miss: the load itself reports it
            if parsed.kind == "CreateSchemaStmt" and parsed.node.schemaname:
                schemas.add(parsed.node.schemaname)
        return schemas

    def split_for_replace(self, objects):
        """(to_drop, kept): replace drops what lies in the dump's schemas and keeps every other schema."""
        schemas = self.dump_schemas()
        to_drop = [o for o in objects if o["schema"] in schemas]
        return to_drop, [o for o in objects if o["schema"] not in schemas]

    def replace_target(self, objects):
        """if_exists=replace: drop the objects in the dump's schemas, the old progress and the sync state.

        Everything else is kept.

        No CASCADE: an object outside those schemas that depends on one of them (a view, a foreign key)
        stops the replace with the server's explanation instead of being dropped along with it.
        """
        to_drop, _kept = self.split_for_replace(objects)
        statements = []
        for kind, types in (("VIEW", ("VIEW",)), ("TABLE", ("BASE TABLE",)), ("SEQUENCE", ("SEQUENCE",))):
            names = [sql.Identifier(o["schema"], o["name"]) for o in to_drop if o["kind"] in types]
            if names:
                # One statement per kind: the dump's tables may reference each other (FKs).
                statements.append(
                    sql.SQL("DROP {} IF EXISTS {}").format(sql.SQL(kind), sql.SQL(", ").join(names))
                )
        try:
            with self.conn.cursor() as cur:
                for statement in statements:
                    cur.execute(statement)
                lp.clear(cur, self.progress_schema)
                # The online sync's state describes the rows being replaced too: left from an earlier
                # attempt, it would make the next catch-up refuse the new dump.
                for name in catalog.SYNC_STATE_TABLES:
                    cur.execute(
                        sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(self.progress_schema, name))
                    )
            self.conn.commit()
        except psycopg2.errors.DependentObjectsStillExist as exc:
            self.conn.rollback()
            raise LoadError(
                f"if_exists=replace stopped, nothing was dropped: {str(exc).strip()} "
                f"{(exc.diag.message_detail or '').strip()}. Objects outside the dump's schemas are never "
                "dropped: remove that dependency (or the dependent object) yourself, then run again"
            ) from None
        dropped = [statement.as_string(self.conn) for statement in statements]
        self.progress = {}
        self.executed.extend(dropped)
        return dropped

    # --- steps --------------------------------------------------------------------------------
    def run_statements(self, step, statements):
        """Execute ``statements`` one by one from the recorded position, each with its progress row."""
        if self._done(step):
            return
        start = int(self.progress.get(step, {}).get("position", 0))
        if start:
            self.resumed_from[step] = start
        ddl_in_tx = self.options.ddl_in_transaction
        for index, statement in enumerate(statements):
            if index < start:
                if is_session_setting(statement):
                    self._transaction(lambda cur, s=statement: cur.execute(s))
                continue
            if ddl_in_tx:

                def work(cur, statement=statement, index=index):
                    cur.execute(statement)
                    self._record(cur, step, lp.RUNNING, index + 1)

                self._transaction(work)
            else:
                self._execute_alone(statement, tolerate_done=index == start and start > 0)
                # The window a kill can hit without exactly-once DDL: ran, not yet recorded.
                self.checkpoint(f"{step}-unrecorded", index + 1)
                self._transaction(lambda cur, i=index: self._record(cur, step, lp.RUNNING, i + 1))
            self.executed.append(statement)
            self.checkpoint(step, index + 1)
        self._transaction(lambda cur: self._record(cur, step, lp.DONE, len(statements)))

    def _execute_alone(self, statement, tolerate_done):
        try:
            self._transaction(lambda cur: cur.execute(statement))
        except psycopg2.Error as exc:
            if not (tolerate_done and exc.pgcode in _ALREADY_DONE):
                raise

    def load_table(self, table):
        step = lp.data_step(table["schema"], table["name"])
        state = self.progress.get(step, {})
        rows, offset, batches = (
            int(state.get("position", 0)),
            int(state.get("byte_offset", 0)),
            int(state.get("batches", 0)),
        )
        if self._done(step):
            self.loaded_tables.append(self._table_result(table, rows, batches, 0))
            return
        if offset:
            self.resumed_from[step] = {"rows": rows, "byte_offset": offset}
        path = os.path.join(self.dump_dir, table["file"])
        try:
            loaded_now, rows, batches, end = self._copy_batches(table, step, path, rows, offset, batches)
        except copy_stream.DamagedCopyFile as exc:
            raise LoadError(
                f"{exc}: the data file is damaged (cut short after the dump's sha256 was checked, or written "
                "incompletely). Running the load again cannot fix it: dump again with metastore_dump, then "
                "load that dump with if_exists=replace (or into an empty database)"
            ) from None
        if rows != table["row_count"]:
            raise LoadError(
                f"{table['schema']}.{table['name']}: loaded {rows} rows but the manifest says "
                f"{table['row_count']}: "
                "the data file does not match the manifest; dump again"
            )
        self._transaction(lambda cur: self._record(cur, step, lp.DONE, rows, end, batches))
        self.loaded_tables.append(self._table_result(table, rows, batches, loaded_now))

    def _copy_batches(self, table, step, path, rows, offset, batches):
        """COPY the batches of ``path`` from ``offset``, each with its progress row; the new counters."""
        columns = [c["name"] for c in table["columns"]]
        loaded_now, end = 0, offset
        for data, count, end in copy_stream.iter_batches(
            path, offset, self.options.batch_rows, self.options.batch_bytes
        ):
            rows, batches, loaded_now = rows + count, batches + 1, loaded_now + count

            def work(cur, data=data, rows=rows, end=end, batches=batches):
                copy_stream.copy_batch_into_table(cur, table["schema"], table["name"], columns, data)
                self._record(cur, step, lp.RUNNING, rows, end, batches)

            self._transaction(work)
            self.batches += 1
            self.checkpoint(step, batches)
        return loaded_now, rows, batches, end

    @staticmethod
    def _table_result(table, rows, batches, loaded_now):
        return {
            "schema": table["schema"],
            "name": table["name"],
            "row_count": rows,
            "batches": batches,
            "rows_loaded_this_run": loaded_now,
        }

    def set_sequences(self):
        if self._done("sequences"):
            return

        calls = [
            (sql.Identifier(seq["schema"], seq["name"]).as_string(self.conn), seq["value"], seq["is_called"])
            for seq in self.manifest["sequences"]
        ]
        ran = []

        def work(cur):
            ran.clear()  # a retried transaction runs them all again
            for call in calls:
                cur.execute("SELECT pg_catalog.setval(%s, %s, %s)", call)
                ran.append(cur.mogrify("SELECT pg_catalog.setval(%s, %s, %s)", call).decode())
            self._record(cur, "sequences", lp.DONE, len(calls))

        self._transaction(work)
        # The statements exactly as sent (quoted names), for the module's audit output.
        self.executed.extend(ran)

    def verify(self):
        report = verifier.verify_target(
            self.conn, self.manifest["tables"], self.manifest["sequences"], [self.progress_schema]
        )
        if report["differing_tables"] or report["sequences_behind"]:
            raise LoadError(
                "the loaded target does not match the dump: "
                + verifier.failure_message(report)
                + ". It was changed after loading: drop and recreate the target database, then load again"
            )
        return report

    def source_problem(self):
        """Why this target must not be loaded because it is the dump's source (None when it is not)."""
        source = self.manifest.get("source", {}).get("identity")
        if source and self.identity and catalog.same_database(source, self.identity):
            return (
                "the target is the database this dump was taken from "
                f"({catalog.describe_identity(self.identity)}, compared by the server's identity, not its "
                "host name): point the connection at the new, empty database"
            )
        return None

    def finish(self, verified):
        """The last transaction: the verification (if any) and the ``finished`` row commit together."""

        def work(cur):
            if verified:
                self._record(cur, "verified", lp.DONE)
            self._record(cur, lp.FINISHED, lp.DONE)
            # The transaction's time, which is the finished row's updated_at, as load_progress.read shows it.
            cur.execute("SELECT " + lp.UTC_TEXT.format("now()"))
            return cur.fetchone()[0]

        self.finished_at = self._transaction(work)

    def ensure_progress_table(self):
        self._transaction(lambda cur: lp.ensure_table(cur, self.progress_schema))

    def run(self):
        problem = verification_problem(self.manifest, self.options.verify)
        if problem:
            raise LoadError(problem)
        pre = read_schema(self.schema_dir, "pre-data")
        post = read_schema(self.schema_dir, "post-data")
        self.ensure_progress_table()
        self.run_statements("pre-data", pre)
        for table in self.manifest["tables"]:
            self.load_table(table)
        self.run_statements("post-data", post)
        self.set_sequences()
        report = self.verify() if self.options.verify else None
        self.finish(report is not None)
        return report


def plan(state, loader):
    """What a run would do from ``state`` (check mode), as a list of step names."""
    steps = ["pre-data"] + [lp.data_step(t["schema"], t["name"]) for t in loader.manifest["tables"]]
    steps += ["post-data", "sequences", "verified", lp.FINISHED]
    if state in ("empty", "foreign"):
        return steps
    return [s for s in steps if not loader._done(s)]
