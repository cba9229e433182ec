"""A writer that changes a real Airflow 3.3.2 metastore the way a running Airflow does, at a fixed rate.

Used by the online-migration tests (tests/integration/test_metastore_sync.py) while the dump, the load and
the catch-up run. Every step is one transaction, as Airflow's scheduler, workers and API server write:

- a new DAG run with its task instances (two tables in one transaction, as the scheduler creates them);
- task-instance state changes (queued -> running -> success, with hostname, pid, dates), and the run's
  state with them (multi-table);
- an XCom pushed by a finished task, and XComs cleared (deleted) when a task is cleared;
- log rows (the audit log every API call and CLI command writes);
- Variable.set: an update of ``variable.val``, or a new variable;
- ``airflow db clean``: a batch delete of the oldest runs (cascading to their task instances and XComs)
  and of old log rows.

The schema is the golden one (tests/golden/airflow-3.3.2, dumped from ``airflow db migrate``); the
values are plausible, not Airflow's own (no Airflow process runs here).
"""

from __future__ import annotations

import datetime
import json
import random
import threading
import time
import uuid
from pathlib import Path

import psycopg2

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "airflow-3.3.2" / "pg_dump"
DAGS = ("etl_daily", "reports", "ml_train")
TASKS = ("extract", "transform", "load", "notify")


def load_golden_schema(url):
    """Create the Airflow 3.3.2 schema (pg_dump's pre-data and post-data) in an empty database."""
    from ansible_collections.airflow_ops.metastore.plugins.module_utils import sqlscript

    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            for section in ("pre-data", "post-data"):
                for statement in sqlscript.split_statements((GOLDEN / f"{section}.sql").read_text()):
                    cur.execute(statement)
    finally:
        conn.close()


def _now():
    return datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017


class AirflowWriter:
    """Seed a metastore, then write Airflow's pattern from a thread at ``rate`` transactions per second."""

    def __init__(self, url, rate=40.0, seed=12):
        self.url, self.rate = url, rate
        self.random = random.Random(seed)
        self.stop_event = threading.Event()
        self.thread = None
        self.transactions = 0
        self.errors = []
        self.conn = None
        self.versions = {}
        self.runs = []  # (dag_id, run_id, dag_run.id)
        self.serial = 0

    # seeding --------------------------------------------------------------------------------------

    def seed(self, runs=30):
        """A bundle, the DAGs with their versions, variables, and ``runs`` finished runs."""
        self.conn = psycopg2.connect(self.url)
        with self.conn, self.conn.cursor() as cur:
            # `airflow db migrate` writes its head revision here; the golden dump is schema only.
            cur.execute("INSERT INTO alembic_version (version_num) VALUES ('golden_3_3_2')")
            cur.execute(
                "INSERT INTO dag_bundle (name, active, version, last_refreshed) VALUES ('dags-folder', true,"
                " NULL, now())"
            )
            for dag_id in DAGS:
                cur.execute(
                    "INSERT INTO dag (dag_id, is_paused, is_stale, bundle_name, timetable_type,"
                    " partition_mapper_info, max_active_tasks, max_consecutive_failed_dag_runs,"
                    " has_task_concurrency_limits, fileloc, owners, description)"
                    " VALUES (%s, false, false, 'dags-folder', 'CronTriggerTimetable', '{}', 16, 0, false,"
                    " %s, 'airflow', %s)",
                    (
                        dag_id,
                        f"/opt/airflow/dags/{dag_id}.py",
                        # A long doc_md-like description, stored out of line (TOAST): an update of
                        # another column sends it as unchanged ('u'), and the applier must keep it.
                        self._long_text(dag_id),
                    ),
                )
                version = str(uuid.UUID(int=self.random.getrandbits(128)))
                cur.execute(
                    "INSERT INTO dag_version (id, version_number, dag_id, bundle_name, version_data,"
                    " created_at, last_updated) VALUES (%s, 1, %s, 'dags-folder', %s, now(), now())",
                    (version, dag_id, json.dumps({"tasks": list(TASKS)})),
                )
                self.versions[dag_id] = version
            for index in range(5):
                cur.execute(
                    "INSERT INTO variable (key, val, description, is_encrypted) VALUES (%s, %s, %s, false)",
                    (f"var_{index}", json.dumps({"n": index}), None if index % 2 else "a 'quoted' one"),
                )
        for _index in range(runs):
            self.new_run(finished=True)

    def _long_text(self, dag_id):
        words = [f"{dag_id}:", "\u00e9t\u00e9", "\U0001f680", "tab\there"]
        words += [uuid.UUID(int=self.random.getrandbits(128)).hex for _index in range(2000)]
        return " ".join(words)

    # steps (each one transaction) -----------------------------------------------------------------

    def pause_dag(self):
        """The UI's pause toggle: dag.is_paused changes, the long description is not sent again."""
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "UPDATE dag SET is_paused = NOT is_paused WHERE dag_id = %s", (self.random.choice(DAGS),)
            )

    def _run_id(self):
        self.serial += 1
        return f"scheduled__{self.serial:06d}_{uuid.UUID(int=self.random.getrandbits(128)).hex[:8]}"

    def new_run(self, finished=False):
        dag_id = self.random.choice(DAGS)
        run_id = self._run_id()
        start = _now()
        state = "success" if finished else "queued"
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO dag_run (dag_id, run_id, run_type, state, queued_at, logical_date, run_after,"
                " conf, created_dag_version_id, clear_number, span_status, created_at, updated_at)"
                " VALUES (%s, %s, 'scheduled', %s, %s, %s, %s, %s, %s, 0, 'not_started', now(), now())"
                " RETURNING id",
                (
                    dag_id,
                    run_id,
                    state,
                    start,
                    start,
                    start,
                    json.dumps({"k": [1, "\u00fc"]}),
                    self.versions[dag_id],
                ),
            )
            run_pk = cur.fetchone()[0]
            for task_id in TASKS:
                cur.execute(
                    "INSERT INTO task_instance (id, task_id, dag_id, run_id, map_index, try_number, pool,"
                    " pool_slots, state, queue, priority_weight, operator, dag_version_id, executor_config,"
                    " span_status, updated_at)"
                    " VALUES (%s, %s, %s, %s, -1, %s, 'default_pool', 1, %s, 'default', 1, 'PythonOperator',"
                    " %s, %s, 'not_started', now())",
                    (
                        str(uuid.UUID(int=self.random.getrandbits(128))),
                        task_id,
                        dag_id,
                        run_id,
                        1 if finished else 0,
                        "success" if finished else None,
                        self.versions[dag_id],
                        bytes([0, 92, 10, 255]),
                    ),
                )
        self.runs.append((dag_id, run_id, run_pk))

    def advance_task(self):
        """One task instance of a recent run moves on; the run finishes with its last task."""
        if not self.runs:
            return self.new_run()
        dag_id, run_id, _pk = self.random.choice(self.runs[-10:])
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "SELECT task_id, state FROM task_instance WHERE dag_id = %s AND run_id = %s"
                " AND (state IS NULL OR state <> 'success') ORDER BY task_id LIMIT 1 FOR UPDATE",
                (dag_id, run_id),
            )
            row = cur.fetchone()
            if row is None:
                cur.execute(
                    "UPDATE dag_run SET state = 'success', end_date = now(), updated_at = now()"
                    " WHERE dag_id = %s AND run_id = %s",
                    (dag_id, run_id),
                )
                return None
            task_id, state = row
            following = {None: "queued", "queued": "running", "running": "success"}[state]
            cur.execute(
                "UPDATE task_instance SET state = %s, hostname = %s, pid = %s,"
                " start_date = coalesce(start_date, now()),"
                " end_date = CASE WHEN %s = 'success' THEN now() END, try_number = greatest(try_number, 1),"
                " updated_at = now(), next_kwargs = %s"
                " WHERE dag_id = %s AND run_id = %s AND task_id = %s AND map_index = -1",
                (
                    following,
                    "worker-1.example",
                    self.random.randint(100, 99999),
                    following,
                    json.dumps({"at": following}),
                    dag_id,
                    run_id,
                    task_id,
                ),
            )
            cur.execute(
                "UPDATE dag_run SET state = 'running', start_date = coalesce(start_date, now()),"
                " last_scheduling_decision = now(), updated_at = now() WHERE dag_id = %s AND run_id = %s",
                (dag_id, run_id),
            )
            if following == "success":
                cur.execute(
                    "INSERT INTO xcom (dag_run_id, task_id, map_index, key, dag_id, run_id, value, timestamp)"
                    " SELECT id, %s, -1, 'return_value', dag_id, run_id, %s, now() FROM dag_run"
                    " WHERE dag_id = %s AND run_id = %s",
                    (
                        task_id,
                        json.dumps({"rows": self.random.randint(0, 10**6), "s": "\\n"}),
                        dag_id,
                        run_id,
                    ),
                )
        return None

    def clear_xcoms(self):
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "DELETE FROM xcom WHERE (dag_run_id, task_id) IN (SELECT dag_run_id, task_id FROM xcom"
                " ORDER BY timestamp DESC LIMIT 2)"
            )

    def log(self):
        with self.conn, self.conn.cursor() as cur:
            dag_id = self.random.choice(DAGS)
            cur.execute(
                "INSERT INTO log (dttm, dag_id, event, owner, extra) VALUES (now(), %s, %s, 'admin', %s)",
                (
                    dag_id,
                    self.random.choice(["trigger", "cli_task_run", "variable.edit"]),
                    json.dumps({"ip": "10.0.0.1"}),
                ),
            )

    def set_variable(self):
        with self.conn, self.conn.cursor() as cur:
            if self.random.random() < 0.2:
                cur.execute(
                    "INSERT INTO variable (key, val, is_encrypted) VALUES (%s, %s, false)",
                    (f"var_new_{self.serial}_{self.transactions}", "v"),
                )
            else:
                cur.execute(
                    "UPDATE variable SET val = %s WHERE key = %s",
                    (json.dumps({"n": self.random.randint(0, 10**9)}), f"var_{self.random.randint(0, 4)}"),
                )

    def db_clean(self):
        """``airflow db clean``: the oldest runs (their task instances and XComs cascade) and old log rows."""
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "DELETE FROM dag_run WHERE id IN (SELECT id FROM dag_run ORDER BY id LIMIT 3) RETURNING id"
            )
            gone = {row[0] for row in cur.fetchall()}
            cur.execute("DELETE FROM log WHERE id IN (SELECT id FROM log ORDER BY id LIMIT 5)")
        self.runs = [r for r in self.runs if r[2] not in gone]

    STEPS = (
        ("new_run", 3),
        ("advance_task", 10),
        ("clear_xcoms", 1),
        ("log", 4),
        ("set_variable", 2),
        ("db_clean", 1),
        ("pause_dag", 1),
    )

    def step(self):
        names = [name for name, weight in self.STEPS for _index in range(weight)]
        getattr(self, self.random.choice(names))()
        self.transactions += 1

    # the thread -----------------------------------------------------------------------------------

    def start(self):
        self.thread = threading.Thread(target=self._loop, name="airflow-writer", daemon=True)
        self.thread.start()

    def _loop(self):
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        while not self.stop_event.is_set():
            try:
                self.step()
            except psycopg2.Error as exc:  # reported by stop(): a test must not pass over a failed writer
                self.errors.append(str(exc))
                self.conn.rollback()
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    def stop(self):
        """Stop writing (the last transaction has committed when this returns); the transactions written."""
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=60)
        if self.conn is not None:
            self.conn.close()
        if self.errors:
            raise AssertionError(f"the writer failed {len(self.errors)} times, first: {self.errors[0]}")
        return self.transactions
