"""Shared set-up for the dump/load/verify integration tests: an Airflow-shaped schema, awkward data,
and running a module as a real subprocess (as Ansible does), so kill -9 hits a real process.

The schema has the shapes of an Airflow metadata DB (see ../shared/REFERENCE.md): serial/bigserial
sequences, primary keys, FKs with ON DELETE CASCADE, a partial index, a CHECK, an expression index,
json/jsonb/bytea/uuid/timestamptz columns, and an alembic_version table.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULES = REPO_ROOT / "plugins" / "modules"
PAUSED_LOAD = REPO_ROOT / "tests" / "support" / "paused_load.py"
COLLECTIONS = REPO_ROOT / ".build" / "collections"
ALEMBIC_REVISION = "29ce7909c52b"

SCHEMA_SQL = """
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
CREATE TABLE dag (
    dag_id varchar(250) PRIMARY KEY,
    is_paused boolean,
    last_parsed_time timestamptz,
    description text,
    tags jsonb,
    owners varchar(2000)
);
CREATE TABLE dag_run (
    id serial PRIMARY KEY,
    dag_id varchar(250) NOT NULL REFERENCES dag (dag_id) ON DELETE CASCADE,
    run_id varchar(250) NOT NULL,
    conf json,
    context_carrier bytea,
    uid uuid,
    start_date timestamptz,
    logical_date timestamp,
    duration numeric(12, 3),
    CONSTRAINT dag_run_dag_id_run_id_key UNIQUE (dag_id, run_id),
    CONSTRAINT dag_run_duration_check CHECK (duration IS NULL OR duration >= 0)
);
CREATE INDEX idx_dag_run_running ON dag_run (dag_id) WHERE start_date IS NOT NULL;
CREATE INDEX idx_dag_run_lower_run_id ON dag_run (lower(run_id));
CREATE TABLE task_instance (
    id bigserial PRIMARY KEY,
    dag_run_id integer NOT NULL REFERENCES dag_run (id) ON DELETE CASCADE,
    task_id varchar(250) NOT NULL,
    try_number integer,
    note text,
    executor_config bytea,
    rendered jsonb,
    updated_at timestamptz DEFAULT now()
);
CREATE TABLE log (id serial PRIMARY KEY, event varchar(60), extra text);
"""

# Values chosen to break naive dumpers: NULLs, quotes, backslashes, tabs and newlines (COPY escapes),
# emoji and combining characters, json with nested structures, bytea with every byte value.
AWKWARD_TEXT = [
    None,
    "",
    "plain",
    "tab\there",
    "new\nline\r\nwindows",
    "back\\slash \\N not null",
    "quote ' and \" double",
    "unicode: Zürich, 東京, 🚀, e\u0301",
    "\\.",
]


def create_schema(url):
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(SCHEMA_SQL)
        cur.execute("INSERT INTO alembic_version VALUES (%s)", (ALEMBIC_REVISION,))
    conn.close()


def fill(url, dags=12, runs_per_dag=25, tasks_per_run=6, large_json_kib=256):
    """Insert awkward data; returns the row counts per table."""
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        for d in range(dags):
            cur.execute(
                "INSERT INTO dag VALUES (%s, %s, %s, %s, %s, %s)",
                (
                    f"dag_{d}_ß",
                    None if d % 3 == 0 else bool(d % 2),
                    None if d % 4 == 0 else f"2026-0{1 + d % 9}-1{d % 9} 1{d % 10}:30:00.123456+0{d % 9}:00",
                    AWKWARD_TEXT[d % len(AWKWARD_TEXT)],
                    json.dumps({"z": d, "a": [1, 2.5, None, "x"], "nested": {"k": "v\u00e9", "n": 1e2}}),
                    "airflow",
                ),
            )
            for r in range(runs_per_dag):
                conf = (
                    None
                    if r % 5 == 0
                    else json.dumps({"b": r, "a": {"y": [r, "🚀"], "x": True}}, indent=r % 3)
                )
                cur.execute(
                    "INSERT INTO dag_run (dag_id, run_id, conf, context_carrier, uid, start_date,"
                    " logical_date, duration)"
                    " VALUES (%s, %s, %s, %s, gen_random_uuid(), %s, %s, %s) RETURNING id",
                    (
                        f"dag_{d}_ß",
                        f"manual__{r}_{AWKWARD_TEXT[r % len(AWKWARD_TEXT)] or ''}",
                        conf,
                        None if r % 7 == 0 else bytes(range(256)) * (1 + r % 3),
                        None if r % 6 == 0 else f"2025-12-31 23:59:5{r % 10}.{r:06d}-05:30",
                        f"2025-06-0{1 + r % 9} 00:00:00",
                        None if r % 4 == 0 else f"{r}.{r % 1000:03d}",
                    ),
                )
                run_id = cur.fetchone()[0]
                cur.executemany(
                    "INSERT INTO task_instance (dag_run_id, task_id, try_number, note, executor_config,"
                    " rendered) VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        (
                            run_id,
                            f"task_{t}",
                            None if t == 0 else t,
                            AWKWARD_TEXT[(r + t) % len(AWKWARD_TEXT)],
                            None if t % 2 else bytes([0, 92, 10, 255, t]),
                            None if t == 3 else json.dumps({"t": t, "s": "x" * (t * 10)}),
                        )
                        for t in range(tasks_per_run)
                    ],
                )
        big = {"items": [{"i": i, "v": "ü" * 50} for i in range(large_json_kib * 1024 // 80)]}
        cur.execute("UPDATE dag SET tags = %s WHERE dag_id = 'dag_1_ß'", (json.dumps(big),))
        cur.execute("INSERT INTO log (event, extra) VALUES ('cli', NULL), ('ui', 'x')")
        cur.execute(
            "SELECT (SELECT count(*) FROM dag), (SELECT count(*) FROM dag_run),"
            " (SELECT count(*) FROM task_instance)"
        )
        counts = cur.fetchone()
    conn.close()
    return {
        "dag": counts[0],
        "dag_run": counts[1],
        "task_instance": counts[2],
        "log": 2,
        "alembic_version": 1,
    }


def module_env(extra=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(COLLECTIONS), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def start_module(name, args, env=None, check_mode=False, diff=False, pause_at=None, pause_file=None):
    """Start ``plugins/modules/<name>.py`` with a JSON args file, as Ansible's module runner does.

    With ``pause_at`` (``step:position``) the load stops there and waits while ``pause_file`` exists
    (tests/support/paused_load.py): the module runs unchanged, in a process started through that file.
    """
    payload = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    handle, path = tempfile.mkstemp(prefix=f"{name}-", suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump({"ANSIBLE_MODULE_ARGS": payload}, out)
    launcher = [str(PAUSED_LOAD), pause_at, str(pause_file)] if pause_at else []
    proc = subprocess.Popen(
        [sys.executable, *launcher, str(MODULES / f"{name}.py"), path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=module_env(env),
    )
    proc.args_file = path
    return proc


def finish_module(proc, timeout=300):
    out, err = proc.communicate(timeout=timeout)
    os.unlink(proc.args_file)
    try:
        result = json.loads(out)
    except ValueError as exc:
        raise AssertionError(f"module printed no JSON (rc={proc.returncode}): {out}\n{err}") from exc
    result["_rc"] = proc.returncode
    return result


def run_module(name, args, **kwargs):
    return finish_module(start_module(name, args, **kwargs))


def conn_args(server, dbname, **extra):
    args = {
        "login_host": server.host,
        "login_port": server.port,
        "login_user": server.superuser,
        "login_password": server.password,
        "login_db": dbname,
    }
    args.update(extra)
    return args


def create_database(server, name):
    conn = psycopg2.connect(server.url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(server, name):
    conn = psycopg2.connect(server.url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def query(url, sql, args=None):
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def make_source(server, dbname, **fill_args):
    """A source database with the Airflow-shaped schema and awkward data; returns the row counts."""
    create_database(server, dbname)
    create_schema(server.url_for(dbname))
    return fill(server.url_for(dbname), **fill_args)


def wait_for(path, proc, timeout=60):
    """Wait until the module under test reaches its pause point (it creates ``path``)."""
    import time

    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None:
            raise AssertionError(
                f"module exited (rc={proc.returncode}) before the pause point: {proc.stdout.read()}"
            )
        if time.monotonic() > deadline:
            raise AssertionError("module did not reach the pause point")
        time.sleep(0.05)


def kill_module_at(name, args, pause_at, pause_file):
    """Run a module until its load pauses at ``pause_at`` (``step:position``), then kill -9 it there."""
    proc = start_module(name, args, pause_at=pause_at, pause_file=pause_file)
    wait_for(pause_file, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    os.unlink(proc.args_file)
    return proc
