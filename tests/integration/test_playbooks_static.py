"""Playbooks, inventories and the execution environment, checked with the real Ansible tools.

No remote hosts are contacted: ansible-builder writes a build context, ansible-inventory parses the example
inventories, ansible-playbook checks syntax and refuses bad input before it touches anything, and the
migration's check mode runs its whole preflight against the test PostgreSQL on this machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
INVENTORIES = ["single_host", "pg_two_airflow", "cockroachdb_cluster", "demo"]
PLAYBOOKS = ["site.yml", "migrate_metastore.yml", "db_users.yml"]


def _tool(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else shutil.which(name) or name


def _run(argv, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_NOCOLOR="1",
    )
    return subprocess.run(
        argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False, **kwargs
    )


@pytest.fixture(scope="module", autouse=True)
def collection_on_path():
    sys.path.insert(0, str(REPO))
    from tests.support.collection import ensure_collection_importable

    ensure_collection_importable()


def test_ansible_builder_creates_a_build_context_from_the_documented_definition(tmp_path):
    result = _run(
        [
            _tool("ansible-builder"),
            "create",
            "--file",
            "docs/execution-environment/execution-environment.yml",
            "--context",
            str(tmp_path),
        ]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    containerfile = (tmp_path / "Containerfile").read_text()
    assert 'EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile
    assert "ansible-core==2.19.14" in containerfile
    assert "dnf module enable -y postgresql:16" in containerfile
    galaxy = yaml.safe_load((tmp_path / "_build" / "requirements.yml").read_text())
    names = {c["name"] for c in galaxy["collections"]}
    assert {"community.postgresql", "community.mysql", "community.general", "ansible.posix"} <= names
    assert any("airflow-ops/metastore" in name for name in names)


def test_ansible_builder_introspection_of_the_installed_tarball_finds_every_dependency(tmp_path):
    """The step of an EE build that reads each installed collection's meta/execution-environment.yml.

    Proves: the built and installed tarball declares its Python and system dependencies the way
    ansible-builder reads them (issue 15: it failed there with FileNotFoundError). Does not build an image
    (no registry image can be pulled here).
    """
    dist, collections = tmp_path / "dist", tmp_path / "collections"
    built = _run([_tool("ansible-galaxy"), "collection", "build", "--output-path", str(dist)])
    assert built.returncode == 0, built.stdout + built.stderr
    (tarball,) = dist.glob("airflow_ops-metastore-*.tar.gz")
    installed = _run(
        [
            _tool("ansible-galaxy"),
            "collection",
            "install",
            "--offline",
            "--no-deps",
            "--force",
            "-p",
            str(collections),
            str(tarball),
        ]
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    result = _run([_tool("ansible-builder"), "introspect", "--sanitize", str(collections)])
    assert result.returncode == 0, result.stdout + result.stderr
    found = yaml.safe_load(result.stdout)
    python = " ".join(found["python"])
    for package in ("psycopg2-binary", "pglast", "sqlalchemy-cockroachdb", "PyMySQL"):
        assert package in python, result.stdout
    assert any(line.startswith("postgresql [platform:rpm]") for line in found["system"]), result.stdout


@pytest.mark.parametrize("inventory", INVENTORIES)
def test_example_inventory_parses_into_the_groups_site_yml_uses(inventory):
    result = _run([_tool("ansible-inventory"), "-i", f"inventories/{inventory}", "--list"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["airflow"]["hosts"], "every example has Airflow hosts"
    databases = [g for g in ("postgresql_servers", "mysql_servers", "cockroachdb_nodes") if g in data]
    assert databases, "every example has a database group"
    hostvars = data["_meta"]["hostvars"]
    for host in data["airflow"]["hosts"]:
        assert hostvars[host]["airflow_db_backend"] in ("postgresql", "cockroachdb", "mysql")
        assert "airflow_db_password" not in hostvars[host], "secrets never live in inventories"


def test_cockroachdb_inventory_sends_airflow_through_haproxy():
    result = _run([_tool("ansible-inventory"), "-i", "inventories/cockroachdb_cluster", "--list"])
    data = json.loads(result.stdout)
    assert len(data["cockroachdb_nodes"]["hosts"]) == 3
    proxy = data["haproxy"]["hosts"][0]
    airflow = data["_meta"]["hostvars"][data["airflow"]["hosts"][0]]
    assert airflow["airflow_db_host"] == proxy
    assert data["_meta"]["hostvars"][proxy]["haproxy_listeners"][0]["backend_group"] == "cockroachdb_nodes"


def test_cockroachdb_inventory_verifies_the_cluster_through_haproxy():
    """The example's pieces of verify-full line up: the role's group is the inventory's node group, the
    name Airflow dials is a host of the haproxy group (which cockroachdb_cert_extra_names puts into every
    node certificate by default), and Airflow's CA file is where the role installs ca.crt for the airflow
    group. Fails before issue 15's change (no cockroachdb_group, so groups['cockroachdb'] was undefined, and
    no CA file). molecule/cockroachdb_certs proves the certificates and a verify-full TLS handshake."""
    result = _run([_tool("ansible-inventory"), "-i", "inventories/cockroachdb_cluster", "--list"])
    data = json.loads(result.stdout)
    hostvars = data["_meta"]["hostvars"]
    defaults = yaml.safe_load((REPO / "roles" / "cockroachdb" / "defaults" / "main.yml").read_text())
    for node in data["cockroachdb_nodes"]["hosts"]:
        assert hostvars[node]["cockroachdb_group"] == "cockroachdb_nodes"
    assert defaults["cockroachdb_cert_extra_names"] == "{{ groups['haproxy'] | default([]) }}"
    assert defaults["cockroachdb_ca_cert_clients"] == "{{ groups['airflow'] | default([]) }}"
    for host in data["airflow"]["hosts"]:
        assert hostvars[host]["airflow_db_sslmode"] == "verify-full"
        assert hostvars[host]["airflow_db_host"] in data["haproxy"]["hosts"]
        assert hostvars[host]["airflow_db_sslrootcert"] == defaults["cockroachdb_ca_cert_client_path"]


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_playbook_passes_syntax_check(playbook):
    result = _run(
        [_tool("ansible-playbook"), "-i", "inventories/demo", f"playbooks/{playbook}", "--syntax-check"]
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _migrate_locally(*extra):
    """Run migrate_metastore.yml against this machine only; it must stop at input validation."""
    return _run(
        [
            _tool("ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            "migrate_airflow_group=all",
            "-e",
            "ansible_become=false",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "playbooks/migrate_metastore.yml",
            *extra,
        ]
    )


def test_migrate_without_a_target_names_the_missing_inputs():
    result = _migrate_locally("-e", "migrate_source_host=db1", "-e", "migrate_source_password=x")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "migrate_target_host" in output and "migrate_target_password" in output
    assert "Stop the Airflow" not in output


def test_migrate_rejects_an_unknown_target_backend():
    result = _migrate_locally(
        "-e",
        "migrate_source_host=db1 migrate_source_password=x migrate_target_host=db2",
        "-e",
        "migrate_target_password=Pw-9f3a7",
        "-e",
        "migrate_target_backend=oracle",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "migrate_target_backend" in output and "cockroachdb" in output
    assert "Pw-9f3a7" not in output


def test_migrate_refuses_the_source_as_its_own_target():
    result = _migrate_locally(
        "-e",
        "migrate_source_host=db1 migrate_source_password=x migrate_target_host=db1 migrate_target_password=x",
        "-e",
        "migrate_target_backend=postgresql migrate_target_database=airflow migrate_source_database=airflow",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "name the source database itself" in output


def test_db_users_rejects_a_user_without_a_name():
    result = _run(
        [
            _tool("ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "playbooks/db_users.yml",
            "-e",
            '{"db_users_postgresql": [{"password": "secret-value"}]}',
        ]
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "The user lists are not valid" in output and "name" in output
    assert "secret-value" not in output


def _check_migration(postgres_server, source_db, target_db, tmp_path):
    """migrate_metastore.yml --check on this machine, between two databases of the test PostgreSQL."""
    server = postgres_server
    login = {"host": server.host, "port": server.port, "user": server.superuser, "password": server.password}
    extra = {f"migrate_source_{key}": value for key, value in login.items()}
    extra.update({f"migrate_target_{key}": value for key, value in login.items()})
    extra.update(
        migrate_source_database=source_db,
        migrate_target_database=target_db,
        migrate_target_backend="postgresql",
        migrate_runner_venv=str(VENV_BIN.parent),
        migrate_dump_dir=str(tmp_path / "not-yet" / "dump"),
        migrate_state_file=str(tmp_path / "state.json"),
        migrate_airflow_config_files=[],
    )
    return _migrate_locally("--check", "-e", json.dumps(extra))


@pytest.fixture
def airflow_source(postgres_server, pg_database):
    """A source with an Alembic revision, and an empty target database beside it."""
    import psycopg2

    target = pg_database + "_target"
    conn = psycopg2.connect(**postgres_server.params(pg_database))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
        cur.execute("INSERT INTO alembic_version VALUES ('29ce7909c52b')")
        cur.execute(f'CREATE DATABASE "{target}"')
    yield pg_database, target
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{target}"')
    conn.close()


def _tables(postgres_server, database):
    import psycopg2

    with psycopg2.connect(**postgres_server.params(database)) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        return cur.fetchone()[0]


def test_migrate_refuses_a_target_with_tables_it_did_not_create(postgres_server, airflow_source, tmp_path):
    import psycopg2

    source, target = airflow_source
    with psycopg2.connect(**postgres_server.params(target)) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE someone_elses (id int)")
    result = _check_migration(postgres_server, source, target, tmp_path)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert "already holds 1 tables that this migration did not create" in output
    assert "Stop the Airflow services" not in output.rsplit("Check that the target is empty", maxsplit=1)[-1]
