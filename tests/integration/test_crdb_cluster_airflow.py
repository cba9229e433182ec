"""Airflow 3.3.2 runs a DAG end to end on a metadata database that went through the collection's own
migration modules (dump, rewrite, load, verify), with its real services: api-server, dag-processor,
triggerer and one or two schedulers (two when the rule allows several: row-level locking on).

The DAG (tests/integration/dags/airflow_ops_cluster_e2e.py) writes a task's rendered fields, sets a
Variable from inside a task, and defers a task to the triggerer. The test checks each through the
target database, and that every service, both schedulers included, is still running at the end.

Targets, one parameter each, same steps:
- ``postgresql``: always, on the local PostgreSQL test server. It proves the test itself, the pipeline
  (a real Airflow metastore from ``airflow db migrate``, copied by the modules) and that a copied
  metastore runs Airflow. It proves nothing about CockroachDB.
- ``cockroachdb``: with ``AIRFLOW_OPS_TEST_CRDB_URL`` (a CockroachDB cluster), the same steps with the
  CockroachDB rewrite, the real sqlalchemy-cockroachdb dialect, the airflow_ops_crdb layer switched on
  the way the role does (a ``.pth`` in a site directory) and the isolation, row-level locking and
  scheduler count that ``cockroachdb_rules.airflow_concurrency`` gives for the server's version. No
  CockroachDB can run on our machines, so this parameter skips here and says so.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.cockroachdb_rules import (
    airflow_concurrency,
)
from cryptography.fernet import Fernet

from tests.integration import metastore_helpers as h
from tests.integration.test_crdb_layer_airflow import (
    LAYER_DIR,
    _engine_args_the_role_writes,
    cockroachdb_env,
    run_probe,
)
from tests.support.airflow_env import airflow_environment, ensure_airflow, migrate_airflow_db

VERSION = "3.3.2"
DAG_ID = "airflow_ops_cluster_e2e"
DAGS = Path(__file__).with_name("dags")
SERVICES = ("api-server", "dag-processor", "triggerer")

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _query(url: str, sql: str, args=None) -> list:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


class Target:
    """An empty database on the chosen server: its libpq URL, how to drop it, the server's version."""

    def __init__(self, kind: str, admin_url: str):
        self.kind = kind
        self.name = f"airflow_ops_e2e_{uuid.uuid4().hex[:8]}"
        self.admin_url = admin_url
        conn = psycopg2.connect(admin_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {self.name}")
            cur.execute("SELECT version()")
            self.server_version = cur.fetchone()[0]
        conn.close()
        self.url = psycopg2.extensions.make_dsn(admin_url, dbname=self.name)
        self.libpq_url = re.sub(r"/[^/?]*(\?|$)", rf"/{self.name}\1", admin_url, count=1)

    @property
    def crdb_version(self) -> str | None:
        match = re.search(r"CockroachDB \w+ (v\d+\.\d+\.\d+)", self.server_version)
        return match.group(1) if match else None

    def drop(self) -> None:
        conn = psycopg2.connect(self.admin_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            force = "CASCADE" if self.kind == "cockroachdb" else "WITH (FORCE)"
            cur.execute(f"DROP DATABASE IF EXISTS {self.name} {force}")
        conn.close()


def empty_database_for(request, postgres_server):
    """Yield a Target on the server ``request.param`` names ("postgresql" or "cockroachdb"), then drop it.

    For a fixture parametrized with both; the CockroachDB parameter skips without AIRFLOW_OPS_TEST_CRDB_URL.
    """
    if request.param == "cockroachdb":
        admin_url = request.getfixturevalue("cockroachdb_url")  # skips, saying how to run it
    else:
        admin_url = postgres_server.url
    made = Target(request.param, admin_url)
    yield made
    made.drop()


@pytest.fixture(params=["postgresql", "cockroachdb"])
def target(request, postgres_server):
    yield from empty_database_for(request, postgres_server)


def _copy_a_real_metastore(postgres_server, target: Target, tmp_path: Path) -> None:
    """airflow db migrate on PostgreSQL, then the collection's modules copy it onto the target."""
    source = f"af_src_{uuid.uuid4().hex[:8]}"
    h.create_database(postgres_server, source)
    try:
        migrate_airflow_db(postgres_server.url_for(source), VERSION)
        dump = tmp_path / "dump"
        dumped = h.run_module("metastore_dump", h.conn_args(postgres_server, source, dump_dir=str(dump)))
        assert dumped["_rc"] == 0, dumped.get("msg")
    finally:
        h.drop_database(postgres_server, source)
    rewritten = tmp_path / "rewritten"
    rewrite_args = {"src": str(dump / "schema"), "dest": str(rewritten), "target": target.kind}
    if target.crdb_version:
        rewrite_args["target_version"] = target.crdb_version
    rewrite = h.run_module("metastore_rewrite", rewrite_args)
    assert rewrite["_rc"] == 0, rewrite.get("msg")
    load = h.run_module(
        "metastore_load", {"url": target.url, "dump_dir": str(dump), "schema_dir": str(rewritten)}
    )
    assert load["_rc"] == 0, load.get("msg")
    verify = h.run_module("metastore_verify", {"url": target.url, "dump_dir": str(dump)})
    assert verify["_rc"] == 0, verify.get("msg")


FERNET_KEY = Fernet.generate_key().decode()


def _airflow_env(target: Target, home: Path, port: int) -> tuple[dict, int]:
    """The services' environment and how many schedulers the rule allows (1 or 2)."""
    if target.kind == "cockroachdb":
        env = cockroachdb_env(target.libpq_url, home, VERSION)
        # The layer as the role installs it: its .pth processed at interpreter start, via sitecustomize.
        site_dir = home / "site"
        site_dir.mkdir()
        (site_dir / "sitecustomize.py").write_text(f"import site\nsite.addsitedir({str(LAYER_DIR)!r})\n")
        env["PYTHONPATH"] = f"{site_dir}{os.pathsep}{env['PYTHONPATH']}"
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_ENGINE_ARGS"] = _engine_args_the_role_writes(target.crdb_version)
        rule = airflow_concurrency("cockroachdb", target.crdb_version)
    else:
        env = airflow_environment(target.libpq_url, home)
        rule = airflow_concurrency("postgresql")
    env.update(
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__EXECUTOR="LocalExecutor",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
        AIRFLOW__API_AUTH__JWT_SECRET="airflow-ops-e2e-jwt-secret-not-a-real-one",
        # One key for every process, as the airflow role sets it: without one, each service that finds no
        # airflow.cfg in AIRFLOW_HOME writes one with a key of its own, and whether a task's Variable is
        # stored encrypted depended on which process got there first (seen flaky in make test).
        AIRFLOW__CORE__FERNET_KEY=FERNET_KEY,
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        AIRFLOW__SCHEDULER__USE_ROW_LEVEL_LOCKING=str(rule.use_row_level_locking),
    )
    return env, 2 if rule.max_schedulers is None else rule.max_schedulers


class Services:
    """Airflow's services as subprocesses, each logging to a file under ``home``."""

    def __init__(self, env: dict, home: Path, port: int, schedulers: int):
        self.airflow = str(ensure_airflow(VERSION))
        self.env, self.home = env, home
        argv = [["api-server", "--port", str(port)], ["dag-processor"], ["triggerer"]]
        argv += [["scheduler"]] * schedulers
        self.procs = {f"{a[0]}-{i}": self._start(f"{a[0]}-{i}", a) for i, a in enumerate(argv)}

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.home / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        return subprocess.Popen([self.airflow, *argv], env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def cli(self, *argv: str) -> None:
        done = subprocess.run(
            [self.airflow, *argv], env=self.env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, f"airflow {' '.join(argv)}: {done.stderr[-3000:]}"

    def dead(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is not None]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.home.glob("*.log")))

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait(what: str, condition, services: Services, timeout: float, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        assert not services.dead(), f"{services.dead()} stopped while waiting for {what}:\n{services.logs()}"
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}:\n{services.logs()}")


def test_airflow_runs_a_dag_end_to_end_on_the_migrated_metastore(postgres_server, target, tmp_path):
    _copy_a_real_metastore(postgres_server, target, tmp_path)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="airflow-e2e-home-") as home_dir:
        home = Path(home_dir)
        env, schedulers = _airflow_env(target, home, port)
        services = Services(env, home, port, schedulers)
        try:
            parsed = "SELECT 1 FROM dag WHERE dag_id = %s"
            _wait(
                "the DAG to be parsed", lambda: _query(target.url, parsed, (DAG_ID,)), services, timeout=240
            )
            services.cli("dags", "unpause", DAG_ID)
            services.cli("dags", "trigger", DAG_ID)
            states_seen = set()

            def finished():
                rows = _query(
                    target.url, "SELECT task_id, state FROM task_instance WHERE dag_id = %s", (DAG_ID,)
                )
                states_seen.update(state for task_id, state in rows if task_id == "deferred")
                run = _query(target.url, "SELECT run_id, state FROM dag_run WHERE dag_id = %s", (DAG_ID,))
                return run if run and run[0][1] in ("success", "failed") else None

            ((run_id, state),) = _wait("the DAG run to finish", finished, services, timeout=420, every=0.5)
            alive_schedulers = _query(
                target.url, "SELECT count(*) FROM job WHERE job_type = 'SchedulerJob' AND state = 'running'"
            )[0][0]
            dead = services.dead()
            logs = services.logs()
        finally:
            services.stop()
    assert state == "success", logs
    tasks = dict(_query(target.url, "SELECT task_id, state FROM task_instance WHERE dag_id = %s", (DAG_ID,)))
    assert tasks == {"templated": "success", "set_variable": "success", "deferred": "success"}
    assert "deferred" in states_seen, f"the sensor never deferred to the triggerer: {states_seen}"
    rendered = _query(
        target.url,
        "SELECT rendered_fields FROM rendered_task_instance_fields WHERE dag_id = %s AND task_id = %s",
        (DAG_ID, "templated"),
    )
    assert rendered and rendered[0][0]["bash_command"] == f"echo {run_id} cockroach"
    ((stored, encrypted),) = _query(
        target.url, "SELECT val, is_encrypted FROM variable WHERE key = %s", (DAG_ID,)
    )
    assert encrypted and Fernet(FERNET_KEY).decrypt(stored.encode()).decode() == f"set in {run_id}"
    assert dead == [], logs
    assert alive_schedulers == schedulers, logs


def test_the_layers_probe_checks_pass_on_a_real_cluster(postgres_server, target, tmp_path):
    """test_crdb_layer_airflow.py's probe, on a cluster: Airflow's Variable upsert, the compiled forms
    of the other patched places, the average-runtime deadline query and the sessions' isolation. (Its
    rendered-fields and state-store checks write rows without their parents by switching off FK checks
    with PostgreSQL's session_replication_role, which CockroachDB lacks: on a cluster the DAG run above
    covers the rendered fields; the state store is covered at the SQL level only.)"""
    if target.kind != "cockroachdb":
        pytest.skip(
            "on PostgreSQL, test_crdb_layer_airflow.py runs these checks under the cockroachdb dialect"
        )
    _copy_a_real_metastore(postgres_server, target, tmp_path)
    engine_args = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_ENGINE_ARGS": _engine_args_the_role_writes(target.crdb_version)
    }
    checks = ["variable", "compiled", "deadlines", "isolation"]
    result = run_probe(VERSION, target.libpq_url, layer=True, checks=checks, extra_env=engine_args)
    for check in checks:
        assert "error" not in result[check], result[check].get("tb")
    assert result["variable"]["value"] == "second"
    assert all(
        " ON CONFLICT (" in s for s in result["variable"]["sql"] if s.startswith("INSERT INTO variable ")
    )
    assert result["compiled"]["value"]["random_db_uuid"] == "gen_random_uuid()"
    assert result["deadlines"]["value"] == {"models": "None", "serialized": "None"}
    expected = airflow_concurrency("cockroachdb", target.crdb_version).isolation.lower()
    assert result["isolation"]["value"]["sync"] == expected
