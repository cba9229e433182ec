"""End to end on podman hosts: site.yml, DAG runs, then migrate_metastore.yml to a second PostgreSQL
behind HAProxy; a rollback drill first, then the real migration, then a re-run that must do nothing.

Runs scripts/demo-deploy.sh --no-migrate under its own names (airflow-e2e-*) so it can run beside the
demo. Takes several minutes (apt and pip inside the containers).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.support import podman_host

REPO = Path(__file__).resolve().parents[2]
PREFIX = "airflow-e2e"
SUBNET = "10.89.78.0/24"
SOURCE, LB, TARGET = f"{PREFIX}-source", f"{PREFIX}-lb", f"{PREFIX}-target"
IMAGE = podman_host.IMAGE
ROLES = ("airflow", "postgresql", "haproxy")


def _skip_reason():
    if not os.environ.get("AIRFLOW_OPS_E2E"):
        return (
            "end-to-end deploy + migration takes about 15 minutes on a 2-core machine (apt and pip inside "
            "three containers), over the CI budget: run it with make e2e (AIRFLOW_OPS_E2E=1)"
        )
    podman = podman_host.skip_reason(IMAGE)
    if podman:
        return podman
    missing = [r for r in ROLES if not (REPO / "roles" / r / "tasks" / "main.yml").exists()]
    if missing:
        return f"roles not in this checkout yet: {', '.join(missing)}"
    return None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason())),
]


def _env(state_dir: Path, inventory: Path) -> dict:
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        PATH=venv_bin + os.pathsep + env.get("PATH", ""),
        ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_NOCOLOR="1",
        DEMO_PREFIX=PREFIX,
        DEMO_SUBNET=SUBNET,
        DEMO_INVENTORY=str(inventory),
        DEMO_STATE_DIR=str(state_dir),
    )
    return env


def _copy_demo_inventory(dest: Path) -> None:
    for path in (REPO / "inventories" / "demo").rglob("*"):
        if path.is_dir():
            continue
        out = dest / path.relative_to(REPO / "inventories" / "demo")
        out.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text().replace("airflow-demo", PREFIX).replace("10.89.77.", "10.89.78.")
        out.write_text(text)
    for path in list(dest.rglob("*airflow-demo*")):
        path.rename(path.with_name(path.name.replace("airflow-demo", PREFIX)))


def _remove_hosts():
    subprocess.run(["podman", "rm", "-f", SOURCE, LB, TARGET], capture_output=True, check=False)
    subprocess.run(["podman", "network", "rm", "-f", PREFIX], capture_output=True, check=False)


class Deployment:
    def __init__(self, root: Path):
        self.inventory = root / "inventory"
        self.state_dir = root / "state"
        _copy_demo_inventory(self.inventory)
        self.env = _env(self.state_dir, self.inventory)

    @property
    def secrets(self) -> dict:
        return yaml.safe_load((self.state_dir / "secrets.yml").read_text())

    def run(self, argv, timeout=1800) -> subprocess.CompletedProcess:
        result = subprocess.run(
            argv, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        print(result.stdout[-20000:], result.stderr[-5000:])
        return result

    def migrate(self, *extra) -> subprocess.CompletedProcess:
        secrets = self.state_dir / "secrets.yml"
        return self.run(
            [
                "ansible-playbook",
                "-i",
                str(self.inventory),
                "playbooks/migrate_metastore.yml",
                "-e",
                f"@{secrets}",
                *extra,
            ]
        )

    def sql(self, host: str, query: str) -> str:
        result = subprocess.run(
            [
                "podman",
                "exec",
                host,
                "runuser",
                "-u",
                "postgres",
                "--",
                "psql",
                "-At",
                "airflow",
                "-c",
                query,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def health(self) -> dict:
        result = subprocess.run(
            ["podman", "exec", SOURCE, "curl", "-fsS", "http://127.0.0.1:8080/api/v2/monitor/health"],
            capture_output=True,
            text=True,
            check=False,
        )
        return json.loads(result.stdout) if result.returncode == 0 else {}

    def airflow_cfg(self) -> str:
        return subprocess.run(
            ["podman", "exec", SOURCE, "cat", "/opt/airflow/airflow.cfg", "/etc/airflow/airflow.env"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    _remove_hosts()
    deployed = Deployment(tmp_path_factory.mktemp("e2e"))
    result = deployed.run(["bash", "scripts/demo-deploy.sh", "--no-migrate"], timeout=2400)
    try:
        assert result.returncode == 0, "site.yml or the DAG runs failed (output above)"
        yield deployed
    finally:
        if not os.environ.get("AIRFLOW_OPS_KEEP_E2E_HOSTS"):
            _remove_hosts()


RUNS = "SELECT dag_id || '/' || run_id || '/' || state FROM dag_run ORDER BY 1"
TASKS = (
    "SELECT dag_id || '/' || run_id || '/' || task_id || '/' || coalesce(state, '') "
    "FROM task_instance ORDER BY 1"
)


def test_failure_after_the_stop_rolls_back_to_a_healthy_source(deployment):
    result = deployment.migrate("-e", "migrate_rehearse_failure_at=after_switch")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "The migration failed and was rolled back" in output
    # The drill, not an earlier step, is what failed: everything before the switch worked.
    assert "Failed step: Rollback drill (after_switch)" in " ".join(output.split())
    assert deployment.health().get("metadatabase", {}).get("status") == "healthy"
    assert deployment.sql(SOURCE, OUR_SLOTS) == "0", "the rollback dropped the replication slot"
    config = deployment.airflow_cfg()
    assert "@127.0.0.1:5432/airflow" in config and LB not in config
    leftovers = subprocess.run(
        [
            "podman",
            "exec",
            SOURCE,
            "sh",
            "-c",
            "ls /opt/airflow/*.pre-migrate /etc/airflow/metastore-migration.json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert leftovers.stdout.strip() == "", "no backup or success record is left behind by a rollback"


def _in_container(host, *argv, check=False):
    return subprocess.run(["podman", "exec", host, *argv], capture_output=True, text=True, check=check)


# The load's progress table as metastore_load creates it (load_progress.ensure_table), owned by the same user.
HOLD_PROGRESS_ROW = """\\set ON_ERROR_STOP on
SET ROLE airflow;
CREATE SCHEMA IF NOT EXISTS airflow_ops;
CREATE TABLE IF NOT EXISTS airflow_ops.load_progress (step TEXT PRIMARY KEY, manifest_digest TEXT NOT NULL,
  status TEXT NOT NULL, position BIGINT NOT NULL DEFAULT 0, byte_offset BIGINT NOT NULL DEFAULT 0,
  batches BIGINT NOT NULL DEFAULT 0, updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
BEGIN;
INSERT INTO airflow_ops.load_progress (step, manifest_digest, status) VALUES ('post-data', 'e2e-hold', 'held')
  ON CONFLICT (step) DO UPDATE SET status = airflow_ops.load_progress.status;
"""
HOLD_APP = "airflow-ops-e2e-hold"
HOLDING = (
    f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{HOLD_APP}'"
    " AND state = 'idle in transaction'"
)
LOAD_WAITS = "SELECT count(*) FROM pg_stat_activity WHERE datname = 'airflow' AND wait_event_type = 'Lock'"


class ProgressRowHold:
    """A session on the target that holds the lock of the load's ``post-data`` progress row, uncommitted.

    metastore_load writes that row in the transaction of the first post-data statement, after every row
    is in (and an if_exists=replace of an earlier attempt drops the progress table before loading): the
    load waits there, on the target, until the hold ends. Nothing in the collection knows about it.
    """

    def __init__(self, deployment):
        argv = ["podman", "exec", "-i", "-e", f"PGAPPNAME={HOLD_APP}", TARGET]
        argv += ["runuser", "-u", "postgres", "--", "psql", "-qAt", "airflow"]
        self.session = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.session.stdin.write(HOLD_PROGRESS_ROW)
        self.session.stdin.flush()
        deadline = time.monotonic() + 60
        while deployment.sql(TARGET, HOLDING) != "1":
            if self.session.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the hold on the target did not start: {self.release()}")
            time.sleep(0.5)

    def wait_for_the_load(self, deployment, process, timeout=1200):
        """True once a session on the target waits for a lock (the load, here) while ``process`` runs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if deployment.sql(TARGET, LOAD_WAITS) != "0":
                return True
            time.sleep(2)
        return False

    def release(self):
        """End the hold (its transaction rolls back); psql's output."""
        if self.session.returncode is not None:
            return ""
        return self.session.communicate("ROLLBACK;\n\\q\n", timeout=60)[0]


def test_target_unreachable_during_the_load_rolls_back_to_a_healthy_source(deployment):
    # The load is held on the target at its progress row (ProgressRowHold); HAProxy, the only way to the
    # target, is then stopped, which cuts the load's connection; then the hold ends.
    argv = ["ansible-playbook", "-i", str(deployment.inventory), "playbooks/migrate_metastore.yml"]
    argv += ["-e", f"@{deployment.state_dir / 'secrets.yml'}"]
    # Output goes to a file, not a pipe: nothing reads it while the test waits, and a full pipe would stall
    # the playbook.
    log_path = deployment.state_dir / "cut-off-migration.log"
    hold = ProgressRowHold(deployment)
    with open(log_path, "w", encoding="utf-8") as log:
        migration = subprocess.Popen(argv, cwd=REPO, env=deployment.env, stdout=log, stderr=subprocess.STDOUT)
        try:
            assert hold.wait_for_the_load(deployment, migration), "the load never reached the held row"
            _in_container(LB, "systemctl", "stop", "haproxy", check=True)
            hold.release()
            migration.wait(timeout=900)
        finally:
            hold.release()
            if migration.poll() is None:
                migration.kill()
            _in_container(LB, "systemctl", "start", "haproxy")
    output = log_path.read_text(encoding="utf-8")
    print(output[-20000:])
    flat = " ".join(output.split())
    assert migration.returncode != 0
    # Online mode (the default): the load runs while Airflow runs, so nothing was stopped.
    assert "The online copy failed before anything was stopped" in flat
    assert "stopped: Load the target and verify it row for row" in flat
    assert "Stop the Airflow services" not in output
    assert deployment.sql(SOURCE, OUR_SLOTS) == "0", "the failed copy dropped its replication slot"
    assert deployment.health().get("metadatabase", {}).get("status") == "healthy"
    config = deployment.airflow_cfg()
    assert "@127.0.0.1:5432/airflow" in config and LB not in config


HEARTBEATS = "SELECT count(*), max(latest_heartbeat) FROM job"
OUR_SLOTS = "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'airflow\\_ops\\_%'"
FINISHED_LOAD = (
    "SELECT count(*) FROM information_schema.tables t WHERE t.table_schema = 'airflow_ops'"
    " AND t.table_name = 'load_progress'"
)
FINISHED_ROW = (
    "SELECT count(*) FROM airflow_ops.load_progress WHERE step = 'finished' AND status = 'done'"
    " AND updated_at > '{since}'"
)
NO_RENDERED_FIELDS = "REVOKE INSERT ON public.rendered_task_instance_fields FROM airflow"


def _wait_until_the_target_holds_a_finished_load(deployment, process, since, timeout=1200):
    """True once the target holds a load finished after ``since`` (the target's clock): an earlier
    attempt's finished load, which this run replaces, must not count."""
    deadline = time.monotonic() + timeout
    finished_row = FINISHED_ROW.format(since=since)
    while time.monotonic() < deadline and process.poll() is None:
        if deployment.sql(TARGET, FINISHED_LOAD) == "1" and deployment.sql(TARGET, finished_row) == "1":
            return True
        time.sleep(0.5)
    return False


def test_a_target_where_tasks_cannot_start_fails_the_canary_and_rolls_back(deployment):
    # The shape of the failure the canary exists for (Airflow 3.3 on CockroachDB without the layer): the
    # target loads, verifies and answers healthy, Variables can be written, but no task can record its
    # rendered fields. Made here on a PostgreSQL target: once the load is finished and verified, Airflow's
    # login loses INSERT on rendered_task_instance_fields. The canary's DAG run must fail and the migration
    # roll back to a healthy source. (The next test's migration replaces this rolled-back target.)
    # Offline mode here, so that the end-to-end tests take both paths (the others run online, the default).
    argv = ["ansible-playbook", "-i", str(deployment.inventory), "playbooks/migrate_metastore.yml"]
    argv += ["-e", f"@{deployment.state_dir / 'secrets.yml'}", "-e", "migrate_mode=offline"]
    log_path = deployment.state_dir / "canary-rollback-migration.log"
    since = deployment.sql(TARGET, "SELECT now()")
    with open(log_path, "w", encoding="utf-8") as log:
        migration = subprocess.Popen(argv, cwd=REPO, env=deployment.env, stdout=log, stderr=subprocess.STDOUT)
        try:
            finished = _wait_until_the_target_holds_a_finished_load(deployment, migration, since)
            assert finished, "the load never finished on the target"
            deployment.sql(TARGET, NO_RENDERED_FIELDS)
            migration.wait(timeout=900)
        finally:
            if migration.poll() is None:
                migration.kill()
    output = log_path.read_text(encoding="utf-8")
    print(output[-20000:])
    flat = " ".join(output.split())
    assert migration.returncode != 0
    assert "Set the canary Variable" in flat
    assert "Airflow could not run a task on the new metadata database" in flat
    assert "The migration failed and was rolled back" in output
    assert deployment.health().get("metadatabase", {}).get("status") == "healthy"
    config = deployment.airflow_cfg()
    assert "@127.0.0.1:5432/airflow" in config and LB not in config


def test_migration_moves_every_dag_run_and_task_instance_and_leaves_the_source_unchanged(deployment):
    result = deployment.migrate()
    output = result.stdout + result.stderr
    assert result.returncode == 0
    window = re.search(
        r"DOWNTIME WINDOW: ([\d.]+) s .*?: stop ([\d.]+) s, .*? verify ([\d.]+) s, "
        r"switch ([\d.]+) s, start ([\d.]+) s, health ([\d.]+) s",
        " ".join(output.split()),
    )
    assert window, "the report gives the downtime window and where it went"
    total, *phases = (float(value) for value in window.groups())
    assert abs(sum(phases) - total) < 0.5, f"the phases ({phases}) add up to the window ({total})"
    source_runs, source_tasks = deployment.sql(SOURCE, RUNS), deployment.sql(SOURCE, TASKS)
    assert len(source_runs.splitlines()) >= 3 and len(source_tasks.splitlines()) >= 6
    assert deployment.sql(TARGET, RUNS).startswith(source_runs) or deployment.sql(TARGET, RUNS) == source_runs
    target_tasks = deployment.sql(TARGET, TASKS).splitlines()
    assert set(source_tasks.splitlines()) <= set(target_tasks)
    assert deployment.health().get("metadatabase", {}).get("status") == "healthy"
    config = deployment.airflow_cfg()
    assert f"@{LB}:5432/airflow" in config
    # Online mode dumps while Airflow runs, so the source is not the dump any more; what must hold is that
    # nothing writes to the source after the switch, while Airflow's scheduler heartbeats on the target.
    source_before, target_before = deployment.sql(SOURCE, HEARTBEATS), deployment.sql(TARGET, HEARTBEATS)
    time.sleep(15)  # the scheduler heartbeats every 5 s
    assert deployment.sql(SOURCE, HEARTBEATS) == source_before, "something still writes to the source"
    assert deployment.sql(TARGET, HEARTBEATS) != target_before, "Airflow does not run on the target"


def test_second_migration_run_does_nothing_and_says_so(deployment):
    result = deployment.migrate()
    output = result.stdout + result.stderr
    assert result.returncode == 0
    assert "Nothing to do: Airflow already runs on postgresql://airflow@" in output
    assert f"{SOURCE}" in output and "changed=0" in output.split("PLAY RECAP")[-1]
