"""Fill a real Airflow 3 metadata database (made by ``airflow db migrate``) with realistic data, by COPY.

Shape: DAGs with versions, serialized DAGs and code; scheduled DAG runs; task instances (the largest
table), retries in task_instance_history, XComs with json payloads, rendered fields (Airflow keeps
the last 30 runs per task), audit log rows, a few jobs. Columns are read from the database: the
generator gives realistic values for the columns it knows, fills any other NOT NULL column without a
default by its type, leaves nullable ones NULL and lets server defaults apply, so a newer 3.x schema
still loads. Foreign keys stay enforced while loading, which proves the data respect them.

    python bench/generate.py --url postgresql://USER:PASS@HOST:PORT/DB --task-instances 100000
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql

DEFAULT_TASK_INSTANCES = 100_000
RENDERED_FIELDS_RUNS_KEPT = 30  # Airflow's [core] max_num_rendered_ti_fields_per_task default
COPY_CHUNK_BYTES = 8 * 1024 * 1024
BUNDLE = "dags-folder"
START = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
OPERATORS = [
    "PythonOperator",
    "BashOperator",
    "SQLExecuteQueryOperator",
    "EmptyOperator",
    "_PythonDecoratedOperator",
]
WORDS = ["orders", "billing", "users", "events", "inventory", "clickstream", "payments", "ml_features"]
# Airflow pickles executor_config; this is pickle.dumps({}) as Airflow writes it for most tasks.
EMPTY_EXECUTOR_CONFIG = b"\x80\x05}\x94."


class GeneratorError(Exception):
    """The target database is not one this generator can fill; the message says what to do."""


@dataclass(frozen=True)
class Shape:
    dags: int
    tasks_per_dag: int
    runs_per_dag: int

    @property
    def task_instances(self):
        return self.dags * self.tasks_per_dag * self.runs_per_dag


def shape_for(task_instances, dags=None, tasks_per_dag=10):
    """DAGs grow with the volume (one per 2,000 task instances, 5 to 500); runs fill the rest."""
    if task_instances < tasks_per_dag:
        raise GeneratorError(f"--task-instances must be at least --tasks-per-dag ({tasks_per_dag})")
    dags = dags or min(500, max(5, task_instances // 2000))
    dags = min(dags, task_instances // tasks_per_dag)
    runs = max(1, round(task_instances / (dags * tasks_per_dag)))
    return Shape(dags=dags, tasks_per_dag=tasks_per_dag, runs_per_dag=runs)


# ---------------------------------------------------------------- COPY text encoding

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value):
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, float, uuid.UUID)):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":")).translate(_ESCAPES)
    if isinstance(value, (bytes, bytearray)):
        return "\\\\x" + bytes(value).hex()
    raise TypeError(f"no COPY encoding for {type(value).__name__}")


def copy_line(values):
    return "\t".join(copy_field(v) for v in values) + "\n"


# ---------------------------------------------------------------- schema-driven column filling


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    nullable: bool
    has_default: bool


def read_columns(cur, table):
    cur.execute(
        "SELECT column_name, data_type, is_nullable = 'YES', column_default IS NOT NULL"
        " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s"
        " ORDER BY ordinal_position",
        (table,),
    )
    columns = [Column(*row) for row in cur.fetchall()]
    if not columns:
        raise GeneratorError(f"table public.{table} does not exist: is this an Airflow 3 metadata DB?")
    return columns


_TYPE_FILLERS = {
    "character varying": "generated",
    "text": "generated",
    "integer": 0,
    "bigint": 0,
    "smallint": 0,
    "boolean": False,
    "double precision": 0.0,
    "real": 0.0,
    "numeric": 0,
    "timestamp with time zone": START,
    "timestamp without time zone": START.replace(tzinfo=None),
    "json": {},
    "jsonb": {},
    "bytea": b"",
    "uuid": None,  # a fresh uuid per row, see _filler
}


def _filler(column):
    if column.data_type not in _TYPE_FILLERS:
        raise GeneratorError(
            f"column {column.name} ({column.data_type}) is NOT NULL without a default and the generator "
            "has no value for that type: add the column to its table's row builder in bench/generate.py"
        )
    if column.data_type == "uuid":
        return uuid.uuid4
    value = _TYPE_FILLERS[column.data_type]
    return lambda: value


def plan_columns(columns, provided):
    """(column names to COPY, per-column value source): provided values, or a type filler where required.

    Provided names the schema does not have are returned as ignored (an older/newer Airflow).
    """
    by_name = {c.name: c for c in columns}
    names, sources = [], []
    for column in columns:
        if column.name in provided:
            names.append(column.name)
            sources.append(column.name)
        elif not column.nullable and not column.has_default:
            names.append(column.name)
            sources.append(_filler(column))
    ignored = sorted(set(provided) - set(by_name))
    return names, sources, ignored


def copy_rows(conn, table, rows):
    """COPY the row dicts into ``table`` in bounded chunks; returns (rows, ignored columns)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0, []
    with conn.cursor() as cur:
        names, sources, ignored = plan_columns(read_columns(cur, table), first)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        buffer, count = io.StringIO(), 0
        for row in _chain(first, rows):
            buffer.write(copy_line([row[s] if isinstance(s, str) else s() for s in sources]))
            count += 1
            if buffer.tell() >= COPY_CHUNK_BYTES:
                _flush(cur, statement, buffer)
                buffer = io.StringIO()
        _flush(cur, statement, buffer)
    return count, ignored


def _chain(first, rest):
    yield first
    yield from rest


def _flush(cur, statement, buffer):
    if buffer.tell():
        cur.copy_expert(statement, io.BytesIO(buffer.getvalue().encode("utf-8")))


# ---------------------------------------------------------------- realistic rows


class Airflow3Data:
    """Row builders for one Shape; deterministic for a seed."""

    def __init__(self, shape, seed=42):
        self.shape = shape
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.dag_ids = [f"{WORDS[i % len(WORDS)]}_pipeline_{i:04d}" for i in range(shape.dags)]
        verbs = ["extract", "validate", "transform", "load", "publish", "notify", "aggregate", "export"]
        self.task_ids = [f"{verbs[i % len(verbs)]}_{i:02d}" for i in range(shape.tasks_per_dag)]
        self.versions = {}  # dag_id -> [version uuid, ...]
        self.latest_version = {}
        self.run_ids = {}  # dag_run id -> (dag_id, run_id, logical_date, state)

    def uuid(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def dag_bundle(self):
        yield {"name": BUNDLE, "active": True, "last_refreshed": START}

    def dag(self):
        for i, dag_id in enumerate(self.dag_ids):
            yield {
                "dag_id": dag_id,
                "is_paused": i % 10 == 0,
                "is_stale": False,
                "last_parsed_time": START + datetime.timedelta(days=30),
                "last_parse_duration": round(self.rng.uniform(0.05, 2.5), 3),
                "fileloc": f"/opt/airflow/dags/{dag_id}.py",
                "relative_fileloc": f"{dag_id}.py",
                "bundle_name": BUNDLE,
                "owners": "data-eng",
                "description": f"Hourly {dag_id.split('_')[0]} pipeline",
                "timetable_type": "airflow.timetables.trigger.CronTriggerTimetable",
                "timetable_summary": "0 * * * *",
                "timetable_description": "At minute 0 of every hour",
                "partition_mapper_info": {},
                "max_active_tasks": 16,
                "max_active_runs": 16,
                "max_consecutive_failed_dag_runs": 0,
                "has_task_concurrency_limits": False,
                "next_dagrun": START + datetime.timedelta(hours=self.shape.runs_per_dag),
            }

    def dag_tag(self):
        for dag_id in self.dag_ids:
            for tag in ("team:data-eng", dag_id.split("_")[0]):
                yield {"name": tag, "dag_id": dag_id}

    def dag_version(self):
        for dag_id in self.dag_ids:
            ids = [self.uuid() for _version in range(1 + len(dag_id) % 3)]
            self.versions[dag_id] = ids
            self.latest_version[dag_id] = ids[-1]
            for number, version_id in enumerate(ids, start=1):
                yield {
                    "id": version_id,
                    "version_number": number,
                    "dag_id": dag_id,
                    "bundle_name": BUNDLE,
                    "created_at": START + datetime.timedelta(days=number),
                    "last_updated": START + datetime.timedelta(days=number),
                }

    def _serialized(self, dag_id):
        tasks = [
            {
                "__var": {
                    "task_id": task_id,
                    "_task_type": OPERATORS[n % len(OPERATORS)],
                    "_task_module": "airflow.providers.standard.operators.python",
                    "retries": 1,
                    "pool": "default_pool",
                    "downstream_task_ids": [self.task_ids[n + 1]] if n + 1 < len(self.task_ids) else [],
                    "template_fields": ["templates_dict", "op_args", "op_kwargs"],
                    "ui_color": "#ffefeb",
                },
                "__type": "operator",
            }
            for n, task_id in enumerate(self.task_ids)
        ]
        return {
            "__version": 3,
            "dag": {
                "dag_id": dag_id,
                "fileloc": f"/opt/airflow/dags/{dag_id}.py",
                "tasks": tasks,
                "timetable": {
                    "__type": "airflow.timetables.trigger.CronTriggerTimetable",
                    "__var": {"expression": "0 * * * *", "timezone": "UTC"},
                },
                "tags": ["team:data-eng"],
                "catchup": False,
                "max_active_runs": 16,
            },
        }

    def serialized_dag(self):
        for dag_id in self.dag_ids:
            data = self._serialized(dag_id)
            digest = hashlib.md5(json.dumps(data, sort_keys=True).encode()).hexdigest()  # noqa: S324 - as Airflow
            for version_id in self.versions[dag_id]:
                yield {
                    "id": self.uuid(),
                    "dag_id": dag_id,
                    "data": data,
                    "created_at": START,
                    "last_updated": START,
                    "dag_hash": digest,
                    "dag_version_id": version_id,
                }

    def dag_code(self):
        for dag_id in self.dag_ids:
            for number, version_id in enumerate(self.versions[dag_id], start=1):
                source = _dag_source(dag_id, self.task_ids, number)
                yield {
                    "id": self.uuid(),
                    "dag_id": dag_id,
                    "fileloc": f"/opt/airflow/dags/{dag_id}.py",
                    "created_at": START,
                    "last_updated": START,
                    "source_code": source,
                    "source_code_hash": hashlib.md5(source.encode()).hexdigest(),  # noqa: S324 - as Airflow
                    "dag_version_id": version_id,
                }

    def job(self):
        for job_id, job_type in enumerate(
            ["SchedulerJob", "TriggererJob", "DagProcessorJob", "SchedulerJob"], 1
        ):
            yield {
                "id": job_id,
                "state": "running" if job_id > 1 else "failed",
                "job_type": job_type,
                "start_date": START,
                "latest_heartbeat": START + datetime.timedelta(days=60),
                "executor_class": "LocalExecutor",
                "hostname": f"airflow-{job_type.lower()}-0",
                "unixname": "airflow",
            }

    def dag_run(self):
        run_pk = 0
        for dag_id in self.dag_ids:
            for n in range(self.shape.runs_per_dag):
                run_pk += 1
                logical = START + datetime.timedelta(hours=n)
                state = self._pick_state(n, self.shape.runs_per_dag)
                run_id = f"scheduled__{logical.isoformat()}"
                self.run_ids[run_pk] = (dag_id, run_id, logical, state)
                started = logical + datetime.timedelta(hours=1, seconds=self.rng.randint(1, 30))
                yield {
                    "id": run_pk,
                    "dag_id": dag_id,
                    "queued_at": started - datetime.timedelta(seconds=2),
                    "logical_date": logical,
                    "start_date": started,
                    "end_date": None if state == "running" else started + datetime.timedelta(minutes=7),
                    "state": state,
                    "run_id": run_id,
                    "creating_job_id": 4,
                    "run_type": "scheduled",
                    "triggered_by": "timetable",
                    "conf": {},
                    "data_interval_start": logical,
                    "data_interval_end": logical + datetime.timedelta(hours=1),
                    "run_after": logical + datetime.timedelta(hours=1),
                    "last_scheduling_decision": started + datetime.timedelta(minutes=7),
                    "log_template_id": 2,
                    "created_at": started,
                    "updated_at": started + datetime.timedelta(minutes=7),
                    "clear_number": 0,
                    "created_dag_version_id": self.latest_version[dag_id],
                }

    def _pick_state(self, n, total):
        if n == total - 1:
            return "running"
        return "failed" if self.rng.random() < 0.05 else "success"

    def _ti_keys(self, runs=None):
        """(dag_run pk, dag_id, run_id, logical, run state, task index, task_id) per task instance."""
        for run_pk, (dag_id, run_id, logical, state) in self.run_ids.items():
            if runs is not None and run_pk not in runs:
                continue
            for t, task_id in enumerate(self.task_ids):
                yield run_pk, dag_id, run_id, logical, state, t, task_id

    def _ti_state(self, run_state, t):
        if run_state == "running":
            return (
                "success"
                if t < len(self.task_ids) // 2
                else ("running" if t == len(self.task_ids) // 2 else None)
            )
        if run_state == "failed" and t == len(self.task_ids) - 1:
            return "failed"
        return "success"

    def task_instance(self):
        self.retried = set()
        for _run_pk, dag_id, run_id, logical, run_state, t, task_id in self._ti_keys():
            state = self._ti_state(run_state, t)
            start = logical + datetime.timedelta(hours=1, minutes=t // 2, seconds=self.rng.randint(0, 59))
            duration = round(self.rng.uniform(0.5, 120.0), 6)
            try_number = 2 if self.rng.random() < 0.05 else 1
            if try_number == 2 and state is not None:
                self.retried.add((dag_id, run_id, task_id))
            ran = state is not None
            yield {
                "id": self.uuid(),
                "task_id": task_id,
                "dag_id": dag_id,
                "run_id": run_id,
                "map_index": -1,
                "start_date": start if ran else None,
                "end_date": start + datetime.timedelta(seconds=duration)
                if state in ("success", "failed")
                else None,
                "duration": duration if state in ("success", "failed") else None,
                "state": state,
                "try_number": try_number if ran else 0,
                "max_tries": 1,
                "hostname": f"airflow-worker-{self.rng.randint(0, 7)}.airflow.svc.cluster.local"
                if ran
                else "",
                "unixname": "airflow",
                "pool": "default_pool",
                "pool_slots": 1,
                "queue": "default",
                "priority_weight": len(self.task_ids) - t,
                "operator": OPERATORS[t % len(OPERATORS)],
                "custom_operator_name": "@task" if t % len(OPERATORS) == 4 else None,
                "queued_dttm": start - datetime.timedelta(seconds=1) if ran else None,
                "scheduled_dttm": start - datetime.timedelta(seconds=2) if ran else None,
                "queued_by_job_id": 4 if ran else None,
                "pid": self.rng.randint(1000, 65000) if ran else None,
                "executor_config": EMPTY_EXECUTOR_CONFIG,
                "updated_at": start + datetime.timedelta(seconds=duration),
                "context_carrier": {},
                "dag_version_id": self.latest_version[dag_id],
            }

    def task_instance_history(self):
        for _run_pk, dag_id, run_id, logical, _state, t, task_id in self._ti_keys():
            if (dag_id, run_id, task_id) not in self.retried:
                continue
            start = logical + datetime.timedelta(hours=1, minutes=t // 2)
            yield {
                "task_instance_id": self.uuid(),
                "task_id": task_id,
                "dag_id": dag_id,
                "run_id": run_id,
                "map_index": -1,
                "try_number": 1,
                "start_date": start,
                "end_date": start + datetime.timedelta(seconds=30),
                "duration": 30.0,
                "state": "failed",
                "max_tries": 1,
                "hostname": "airflow-worker-0.airflow.svc.cluster.local",
                "unixname": "airflow",
                "pool": "default_pool",
                "pool_slots": 1,
                "queue": "default",
                "priority_weight": len(self.task_ids) - t,
                "operator": OPERATORS[t % len(OPERATORS)],
                "executor_config": EMPTY_EXECUTOR_CONFIG,
                "updated_at": start + datetime.timedelta(seconds=30),
                "dag_version_id": self.latest_version[dag_id],
            }

    def xcom(self):
        """A return_value for tasks that succeeded and return something (every other task)."""
        for run_pk, dag_id, run_id, logical, run_state, t, task_id in self._ti_keys():
            if t % 2 or self._ti_state(run_state, t) != "success":
                continue
            yield {
                "dag_run_id": run_pk,
                "task_id": task_id,
                "map_index": -1,
                "key": "return_value",
                "dag_id": dag_id,
                "run_id": run_id,
                "value": {
                    "rows": self.rng.randint(0, 5_000_000),
                    "path": f"s3://lake/{dag_id}/{logical:%Y/%m/%d/%H}/part-{t:05d}.parquet",
                    "checksum": f"{self.rng.getrandbits(64):016x}",
                    "stats": {
                        "min": self.rng.randint(0, 100),
                        "max": self.rng.randint(100, 10**6),
                        "null_ratio": round(self.rng.random(), 4),
                    },
                    "partitions": [f"{logical:%Y-%m-%d}", f"hour={logical:%H}"],
                },
                "timestamp": logical + datetime.timedelta(hours=1, minutes=t),
            }

    def rendered_task_instance_fields(self):
        keep = self.shape.runs_per_dag - RENDERED_FIELDS_RUNS_KEPT
        runs = {pk for pk in self.run_ids if (pk - 1) % self.shape.runs_per_dag >= keep}
        for _run_pk, dag_id, run_id, logical, run_state, t, task_id in self._ti_keys(runs):
            if self._ti_state(run_state, t) is None:
                continue
            yield {
                "dag_id": dag_id,
                "task_id": task_id,
                "run_id": run_id,
                "map_index": -1,
                "rendered_fields": {
                    "templates_dict": {"ds": f"{logical:%Y-%m-%d}", "ts": logical.isoformat()},
                    "op_args": [],
                    "op_kwargs": {
                        "table": f"{dag_id}.{task_id}",
                        "date": f"{logical:%Y-%m-%d}",
                        "sql": f"SELECT * FROM staging.{task_id} WHERE ds = '{logical:%Y-%m-%d}'",
                    },
                },
            }

    def log(self):
        """Audit rows: one per finished task instance, one per run trigger."""
        log_id = 0
        for _run_pk, dag_id, run_id, logical, run_state, t, task_id in self._ti_keys():
            state = self._ti_state(run_state, t)
            if t == 0:
                log_id += 1
                yield self._log_row(log_id, dag_id, None, run_id, logical, "dag_run.scheduled", None)
            if state in ("success", "failed"):
                log_id += 1
                extra = json.dumps(
                    {"host_name": "airflow-worker-0", "full_command": "['airflow', 'tasks', 'run']"}
                )
                yield self._log_row(log_id, dag_id, task_id, run_id, logical, state, extra)

    def _log_row(self, log_id, dag_id, task_id, run_id, logical, event, extra):
        return {
            "id": log_id,
            "dttm": logical + datetime.timedelta(hours=1, minutes=10),
            "dag_id": dag_id,
            "task_id": task_id,
            "map_index": -1 if task_id else None,
            "event": event,
            "logical_date": logical,
            "run_id": run_id,
            "owner": "airflow",
            "extra": extra,
            "try_number": 1 if task_id else None,
        }


def _dag_source(dag_id, task_ids, version):
    body = "\n".join(f"    {t} = PythonOperator(task_id={t!r}, python_callable=run_step)" for t in task_ids)
    chain = " >> ".join(task_ids)
    return (
        f'"""{dag_id}: hourly pipeline, version {version}."""\n'
        "from airflow.sdk import DAG\n"
        "from airflow.providers.standard.operators.python import PythonOperator\n\n\n"
        "def run_step(**context):\n    return {'rows': 0}\n\n\n"
        f"with DAG({dag_id!r}, schedule='0 * * * *', catchup=False, tags=['team:data-eng']):\n"
        f"{body}\n    {chain}\n"
    )


# Load order respects the foreign keys.
TABLE_ORDER = [
    "dag_bundle",
    "dag",
    "dag_tag",
    "dag_version",
    "serialized_dag",
    "dag_code",
    "job",
    "dag_run",
    "task_instance",
    "task_instance_history",
    "xcom",
    "rendered_task_instance_fields",
    "log",
]
SEQUENCED_TABLES = ["job", "dag_run", "log"]


def check_target(cur):
    cur.execute("SELECT to_regclass('public.alembic_version'), to_regclass('public.task_instance')")
    if None in cur.fetchone():
        raise GeneratorError("the database has no Airflow schema: run `airflow db migrate` against it first")
    cur.execute("SELECT (SELECT count(*) FROM dag) + (SELECT count(*) FROM dag_run)")
    if cur.fetchone()[0]:
        raise GeneratorError("the database already holds DAGs or DAG runs: give an empty, migrated database")


def generate(conn, shape, seed=42, log=print):
    """Fill ``conn``'s database; returns {table: rows}. One transaction: all or nothing."""
    with conn.cursor() as cur:
        check_target(cur)
    data = Airflow3Data(shape, seed)
    counts = {}
    for table in TABLE_ORDER:
        started = time.monotonic()
        counts[table], ignored = copy_rows(conn, table, getattr(data, table)())
        note = f" (columns not in this schema, skipped: {', '.join(ignored)})" if ignored else ""
        log(f"  {table:32s} {counts[table]:>10,d} rows  {time.monotonic() - started:6.1f} s{note}")
    with conn.cursor() as cur:
        for table in SEQUENCED_TABLES:
            cur.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), max(id)) FROM {}").format(
                    sql.Identifier(table)
                ),
                (table,),
            )
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("ANALYZE")
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--url", required=True, help="libpq URL of an empty database migrated by `airflow db migrate`"
    )
    parser.add_argument("--task-instances", type=int, default=DEFAULT_TASK_INSTANCES)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies --task-instances (10 = 1M)")
    parser.add_argument("--dags", type=int, help="number of DAGs (default: one per 2,000 task instances)")
    parser.add_argument("--tasks-per-dag", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    shape = shape_for(int(args.task_instances * args.scale), args.dags, args.tasks_per_dag)
    print(
        f"generating {shape.dags} DAGs x {shape.runs_per_dag} runs x {shape.tasks_per_dag} tasks "
        f"= {shape.task_instances:,d} task instances"
    )
    started = time.monotonic()
    try:
        conn = psycopg2.connect(args.url)
        try:
            counts = generate(conn, shape, args.seed)
        finally:
            conn.close()
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{sum(counts.values()):,d} rows in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
