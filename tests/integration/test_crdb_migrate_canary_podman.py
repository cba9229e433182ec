"""The migration's write canary (roles/migrate/tasks/canary.yml) on a real systemd host: a
podman container booted with systemd, Airflow 3.3.2 from the cached test venv (bind-mounted at its own
path), the real PostgreSQL test server on the host's loopback (host network). Run through Ansible.

With the right environment file the canary sets, reads back and deletes a Variable, runs its one-task
DAG with ``airflow dags test`` (rendered fields checked through Airflow's models) and leaves nothing
behind. It fails when Airflow cannot write at all (wrong database password), and when Airflow can write
Variables but a task cannot record its rendered fields (a login without INSERT on that table: the shape
of a target on which tasks cannot start). In migrate.yml a canary failure is inside the block whose
rescue rolls back (test_crdb_migrate_canary.py; the whole rollback in test_playbooks_e2e.py).
As in production, the canary runs as an unprivileged airflow user and the environment file is
root:airflow 0640. (The container's /root is opened for traversal only, because the test venv's
interpreter lives under /root/.pyenv on this machine.)
What this does not prove: the same on CockroachDB (see test_crdb_layer_airflow.py for the layer).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg2
import pytest

from tests.support import podman_host
from tests.support.airflow_env import ensure_airflow, migrate_airflow_db
from tests.support.playbook import run_playbook

NAME = "airflow-ops-canary-test"
KEY = "airflow_ops_migration_canary"
DAG_ID = "airflow_ops_migration_canary"


pytestmark = [
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.skipif(podman_host.skip_reason() is not None, reason=str(podman_host.skip_reason())),
]


@pytest.fixture(scope="module")
def host_with_airflow(postgres_server):
    venv = ensure_airflow("3.3.2").parent.parent
    interpreter_root = Path(os.path.realpath(venv / "bin" / "python")).parents[3]  # e.g. /root/.pyenv
    conn = psycopg2.connect(postgres_server.url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS canary WITH (FORCE)")
        cur.execute("CREATE DATABASE canary")
    migrate_airflow_db(postgres_server.url_for("canary"), "3.3.2")
    podman_host.start_host(NAME, (f"{venv}:{venv}:ro", f"{interpreter_root}:{interpreter_root}:ro"))
    setup = (
        "useradd --system --user-group --home-dir /opt/airflow --shell /usr/sbin/nologin airflow"
        " && mkdir -p /etc/airflow /opt/airflow && chown airflow:airflow /opt/airflow"
        " && chmod 0711 /root"
    )
    subprocess.run(["podman", "exec", NAME, "sh", "-c", setup], check=True)
    yield venv, postgres_server, conn
    podman_host.remove_host(NAME)
    with conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS canary WITH (FORCE)")
    conn.close()


def _write_env_file(server, password: str, user: str | None = None) -> None:
    url = f"postgresql+psycopg2://{user or server.superuser}:{password}@{server.host}:{server.port}/canary"
    text = f'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="{url}"\nAIRFLOW__CORE__LOAD_EXAMPLES="False"\n'
    subprocess.run(
        ["podman", "exec", "-i", NAME, "sh", "-c",
         "cat > /etc/airflow/airflow.env && chown root:airflow /etc/airflow/airflow.env"
         " && chmod 0640 /etc/airflow/airflow.env"],
        input=text, text=True, check=True,
    )  # fmt: skip


def _run_canary(tmp_path, venv):
    play = [
        {
            "hosts": NAME,
            "gather_facts": False,
            "tasks": [
                {
                    "ansible.builtin.include_role": {
                        "name": "airflow_ops.metastore.migrate",
                        "tasks_from": "canary",
                    }
                }
            ],
        }
    ]
    extra = {
        "airflow_venv": str(venv),
        "_migrate_target_identity": "canary-test",
    }
    result = run_playbook(tmp_path, play, extra, inventory=podman_host.inventory(NAME), timeout=600)
    return result.returncode, result.stdout + result.stderr


def _canary_rows(server) -> int:
    """Rows the canary writes (its Variable, its DAG run, task instance, rendered fields, DAG)."""
    with psycopg2.connect(server.url_for("canary")) as target, target.cursor() as cur:
        cur.execute("SELECT count(*) FROM variable WHERE key = %s", (KEY,))
        rows = cur.fetchone()[0]
        for table in ("dag_run", "task_instance", "rendered_task_instance_fields", "dag"):
            cur.execute(f"SELECT count(*) FROM {table} WHERE dag_id = %s", (DAG_ID,))
            rows += cur.fetchone()[0]
        return rows


def _login_that_cannot_record_rendered_fields(server) -> tuple[str, str]:
    """A login with every privilege on Airflow's tables but INSERT on rendered_task_instance_fields."""
    user, password = "canary_no_rtif", "canary-no-rtif-pw"
    with psycopg2.connect(server.url_for("canary")) as target, target.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,))
        if not cur.fetchone():
            cur.execute(f"CREATE ROLE {user} LOGIN PASSWORD %s", (password,))
        cur.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {user}")
        cur.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {user}")
        cur.execute(f"REVOKE INSERT ON rendered_task_instance_fields FROM {user}")
    return user, password


def test_the_canary_writes_through_airflow_and_leaves_nothing_behind(tmp_path, host_with_airflow):
    venv, server, _conn = host_with_airflow
    _write_env_file(server, server.password)
    code, output = _run_canary(tmp_path, venv)
    assert code == 0, output
    assert "Read the canary Variable back" in output
    assert "Check the canary run and its rendered fields" in output
    assert _canary_rows(server) == 0


def test_the_canary_fails_when_airflow_cannot_write(tmp_path, host_with_airflow):
    venv, server, _conn = host_with_airflow
    _write_env_file(server, "not-the-password")
    code, output = _run_canary(tmp_path, venv)
    assert code != 0, output
    assert "Set the canary Variable" in output


def test_the_canary_fails_when_a_task_cannot_record_its_rendered_fields(tmp_path, host_with_airflow):
    venv, server, _conn = host_with_airflow
    user, password = _login_that_cannot_record_rendered_fields(server)
    _write_env_file(server, password, user=user)
    code, output = _run_canary(tmp_path, venv)
    assert code != 0, output
    flat = " ".join(output.split())
    assert "Airflow could not run a task on the new metadata database" in flat, output[-5000:]
    assert "the canary DAG run ended failed" in flat
    assert _canary_rows(server) == 0, "the check deletes the failed run too"
