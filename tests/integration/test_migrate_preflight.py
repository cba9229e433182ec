"""migrate_metastore.yml's preflight against the test PostgreSQL on this machine, run by ansible-playbook.

The runner is this machine (``localhost``, local connection). Its interpreter is set in an inventory,
not with ``-e ansible_python_interpreter=...``: extra vars outrank the role's task vars, so that would
hide which Python the role's tasks really run with (that is how the check-mode test of b317b26 passed
while a fresh runner failed). ``migrate_runner_venv`` is a directory that does not exist: a fresh runner.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.integration import metastore_helpers as h
from tests.support.postgres_server import remove_postgres, start_postgres

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def run_playbook(inventory, extra, *args, playbook="playbooks/migrate_metastore.yml"):
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
    )
    argv = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), "-e", json.dumps(extra), *args]
    argv.append(playbook)
    proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    proc.output = " ".join((proc.stdout + proc.stderr).split())  # the YAML callback wraps long lines
    return proc


@pytest.fixture
def runner(tmp_path):
    """An inventory with this machine as the only host (the runner), and what a fresh runner lacks."""
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(
        "localhost ansible_connection=local ansible_become=false"
        f" ansible_python_interpreter={sys.executable}\n"
    )
    return {"inventory": inventory, "venv": tmp_path / "no-venv-yet", "dir": tmp_path}


@pytest.fixture
def databases(postgres_server):
    """A small Airflow-shaped source (with an Alembic revision) and an empty target on the same server."""
    source, target = f"src_{uuid.uuid4().hex[:8]}", f"tgt_{uuid.uuid4().hex[:8]}"
    h.make_source(postgres_server, source, dags=2, runs_per_dag=2, tasks_per_run=2, large_json_kib=1)
    h.create_database(postgres_server, target)
    yield source, target
    for name in (source, target):
        h.drop_database(postgres_server, name)


def load_target(server, source, target, dump_dir, **load_args):
    """Dump the source and load it into the target with the collection's modules; the load's result."""
    dumped = h.run_module("metastore_dump", h.conn_args(server, source, dump_dir=str(dump_dir)))
    assert dumped["_rc"] == 0, dumped.get("msg")
    return h.run_module("metastore_load", h.conn_args(server, target, dump_dir=str(dump_dir), **load_args))


def migrate_vars(server, runner, source, target, **extra):
    login = {"host": server.host, "port": server.port, "user": server.superuser, "password": server.password}
    values = {f"migrate_source_{k}": v for k, v in login.items()}
    values.update({f"migrate_target_{k}": v for k, v in login.items()})
    values.update(
        migrate_airflow_group="all",
        migrate_source_database=source,
        migrate_target_database=target,
        migrate_target_backend="postgresql",
        # The session's PostgreSQL has wal_level=replica; the online mode's own check has its test below.
        migrate_mode="offline",
        migrate_runner_venv=str(runner["venv"]),
        migrate_dump_dir=str(runner["dir"] / "not-yet" / "dump"),
        migrate_state_file=str(runner["dir"] / "state.json"),
        migrate_airflow_config_files=[],
    )
    values.update(extra)
    return values


def user_tables(server, database):
    query = "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN %s"
    return h.query(server.url_for(database), query, (("pg_catalog", "information_schema"),))[0][0]


def test_check_mode_on_a_fresh_runner_says_what_it_skipped_and_writes_nothing(
    postgres_server, runner, databases
):
    """It stopped with "module interpreter ... not found": the runner's virtualenv does not exist yet."""
    source, target = databases
    result = run_playbook(
        runner["inventory"], migrate_vars(postgres_server, runner, source, target), "--check"
    )
    assert result.returncode == 0, result.output
    assert "interpreter" not in result.output or "not found" not in result.output
    assert "check mode on a fresh runner" in result.output
    assert f"{runner['venv']} does not exist yet" in result.output
    assert "so these checks were skipped: the source" in result.output
    assert postgres_server.password not in result.output
    assert not runner["venv"].exists() and not (runner["dir"] / "not-yet").exists()
    assert user_tables(postgres_server, target) == 0


@pytest.fixture
def prepared_runner(runner):
    """A runner whose virtualenv exists (this project's, which has psycopg2 and pglast)."""
    return dict(runner, venv=VENV_BIN.parent)


def test_check_mode_on_a_prepared_runner_runs_the_whole_preflight(
    postgres_server, prepared_runner, databases
):
    source, target = databases
    result = run_playbook(
        prepared_runner["inventory"],
        migrate_vars(postgres_server, prepared_runner, source, target),
        "--check",
    )
    assert result.returncode == 0, result.output
    assert (
        f"Alembic revision {h.ALEMBIC_REVISION}" in result.output
        and "(postgresql 15), empty" in result.output
    )
    assert "these checks were skipped" not in result.output
    assert user_tables(postgres_server, target) == 0


def test_the_source_under_another_host_name_is_refused_by_its_identity(
    postgres_server, prepared_runner, databases
):
    """preflight.yml compares host strings: 'localhost' and '127.0.0.1' passed as different databases."""
    source, _unused = databases
    extra = migrate_vars(postgres_server, prepared_runner, source, source, migrate_target_host="localhost")
    result = run_playbook(prepared_runner["inventory"], extra, "--check")
    assert result.returncode != 0
    assert "is the source database itself: both reach postgresql server" in result.output
    assert "under different host names" in result.output


def test_a_finished_migration_is_not_taken_for_an_earlier_attempt(
    postgres_server, prepared_runner, databases
):
    """With migrate_replace_earlier_attempt=true (the default) a live, migrated target was replaced."""
    source, target = databases
    loaded = load_target(postgres_server, source, target, prepared_runner["dir"] / "other-dump")
    assert loaded["_rc"] == 0, loaded.get("msg")
    extra = migrate_vars(
        postgres_server, prepared_runner, source, target, migrate_replace_earlier_attempt=True
    )
    result = run_playbook(prepared_runner["inventory"], extra, "--check")
    assert result.returncode != 0
    assert f"holds a finished load (finished at {loaded['finished_at']})" in result.output
    assert "it may be a migrated metadata database in service, so it is not replaced" in result.output
    assert "earlier attempt found" not in result.output


def test_a_finished_load_that_the_migration_rolled_back_is_an_earlier_attempt(
    postgres_server, prepared_runner, databases
):
    source, target = databases
    dump_dir = prepared_runner["dir"] / "not-yet" / "dump"
    loaded = load_target(postgres_server, source, target, dump_dir)
    assert loaded["_rc"] == 0, loaded.get("msg")
    record = {
        "server": loaded["target_identity"]["server"],
        "database": loaded["target_identity"]["database"],
        "finished_at": loaded["finished_at"],
    }
    (dump_dir / "rolled-back-load.json").write_text(json.dumps(record))  # what rollback.yml writes
    result = run_playbook(
        prepared_runner["inventory"],
        migrate_vars(postgres_server, prepared_runner, source, target),
        "--check",
    )
    assert result.returncode == 0, result.output
    assert "earlier attempt found: it is resumed or replaced" in result.output


def test_an_interrupted_load_is_an_earlier_attempt(postgres_server, prepared_runner, databases):
    source, target = databases
    dump_dir = prepared_runner["dir"] / "dump"
    dumped = h.run_module("metastore_dump", h.conn_args(postgres_server, source, dump_dir=str(dump_dir)))
    assert dumped["_rc"] == 0, dumped.get("msg")
    h.kill_module_at(
        "metastore_load",
        h.conn_args(postgres_server, target, dump_dir=str(dump_dir)),
        "post-data:1",
        prepared_runner["dir"] / "paused",
    )
    result = run_playbook(
        prepared_runner["inventory"],
        migrate_vars(postgres_server, prepared_runner, source, target),
        "--check",
    )
    assert result.returncode == 0, result.output
    assert "earlier attempt found: it is resumed or replaced" in result.output


def test_online_mode_on_a_source_without_logical_decoding_is_refused_before_anything_changes(
    postgres_server, prepared_runner, databases
):
    """The online mode (the default) needs wal_level=logical: the session's server has replica. The
    preflight refuses with the problem and both ways out, in check mode and for real, and creates no slot.
    What it does not prove: the online copy itself (tests/integration/test_metastore_sync.py, make e2e)."""
    source, target = databases
    values = migrate_vars(postgres_server, prepared_runner, source, target, migrate_mode="online")
    for check in (("--check",), ()):
        result = run_playbook(prepared_runner["inventory"], values, *check)
        assert result.returncode != 0, result.output
        assert "wal_level is replica" in result.output
        assert "postgresql_logical_decoding: true" in result.output
        assert "migrate_mode: offline" in result.output
        assert "Nothing was stopped or changed" in result.output
    slots = h.query(postgres_server.url_for(source), "SELECT count(*) FROM pg_replication_slots")
    assert slots[0][0] == 0
    assert user_tables(postgres_server, target) == 0


@pytest.fixture
def logical_server():
    """A PostgreSQL with logical decoding on, holding a forgotten slot and publication of ours."""
    server = start_postgres(
        settings={"wal_level": "logical", "max_replication_slots": "4", "max_wal_senders": "4"}
    )
    h.query(server.url_for("postgres"), "CREATE PUBLICATION airflow_ops_sync", ())
    h.query(
        server.url_for("postgres"),
        "SELECT slot_name FROM pg_create_logical_replication_slot('airflow_ops_sync', 'pgoutput')",
        (),
    )
    yield server
    remove_postgres(server)


def test_the_abort_entry_point_drops_a_forgotten_slot_and_its_publication(prepared_runner, logical_server):
    """playbooks/migrate_abort.yml (tasks_from: abort) against a real server with a slot of ours: both are
    dropped, and the run says so. Does not prove anything about the target (abort never reaches it)."""
    values = {
        "migrate_source_host": logical_server.host,
        "migrate_source_port": logical_server.port,
        "migrate_source_user": logical_server.superuser,
        "migrate_source_password": logical_server.password,
        "migrate_source_database": "postgres",
        "migrate_airflow_group": "all",
        "migrate_runner_venv": str(prepared_runner["venv"]),
    }
    slots = "SELECT (SELECT count(*) FROM pg_replication_slots) + (SELECT count(*) FROM pg_publication)"
    result = run_playbook(prepared_runner["inventory"], values, playbook="playbooks/migrate_abort.yml")
    assert result.returncode == 0, result.output
    assert "Dropped: slot airflow_ops_sync, publication airflow_ops_sync" in result.output
    assert h.query(logical_server.url_for("postgres"), slots, ())[0][0] == 0
