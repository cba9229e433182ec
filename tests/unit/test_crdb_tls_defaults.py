"""CockroachDB connections verify the server by default: the airflow role's and the migration's defaults.

Real ansible-playbook runs on localhost that load the roles' own defaults/vars files (include_vars; the
backend comes as an extra var, which wins) and render them with Ansible, through the collection's
sqlalchemy_url filter for Airflow's URL. Proves: for cockroachdb, Airflow's URL carries
sslmode=verify-full and the CA the cockroachdb role installs on the Airflow hosts, and the migration's
target defaults are the same; PostgreSQL keeps its defaults. Does not prove a TLS connection
(molecule/cockroachdb_certs does the handshake; no CockroachDB server runs here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.support.playbook import run_playbook

REPO = Path(__file__).resolve().parents[2]
AIRFLOW_ROLE = REPO / "roles" / "airflow"
MIGRATE_ROLE = REPO / "roles" / "migrate"
CRDB_CA = yaml.safe_load((REPO / "roles" / "cockroachdb" / "defaults" / "main.yml").read_text())[
    "cockroachdb_ca_cert_client_path"
]


def _render(tmp_path, files, expressions, extra_vars):
    tasks = [{"ansible.builtin.include_vars": {"file": str(f)}} for f in files]
    tasks.append({"ansible.builtin.debug": {"msg": {k: "{{ " + v + " }}" for k, v in expressions.items()}}})
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    result = run_playbook(tmp_path, play, extra_vars, env={"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json"})
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)["plays"][0]["tasks"][-1]["hosts"]["localhost"]["msg"]


def _airflow(tmp_path, backend):
    return _render(
        tmp_path,
        [AIRFLOW_ROLE / "defaults" / "main.yml", AIRFLOW_ROLE / "vars" / "main.yml"],
        {
            "sslmode": "airflow_db_sslmode",
            "sslrootcert": "airflow_db_sslrootcert",
            "url": "_airflow_db | airflow_ops.metastore.sqlalchemy_url",
        },
        {"airflow_db_backend": backend, "airflow_db_host": "lb1.example.com", "airflow_db_password": "pw"},
    )


def test_airflow_on_cockroachdb_verifies_the_node_certificate_with_the_clusters_ca(tmp_path):
    got = _airflow(tmp_path, "cockroachdb")
    assert got["sslmode"] == "verify-full"
    assert got["sslrootcert"] == CRDB_CA
    assert got["url"].startswith("cockroachdb://airflow:pw@lb1.example.com:26257/airflow?")
    assert "sslmode=verify-full" in got["url"]
    assert "sslrootcert=" + CRDB_CA.replace("/", "%2F") in got["url"]


def test_airflow_on_postgresql_keeps_its_defaults(tmp_path):
    got = _airflow(tmp_path, "postgresql")
    assert (got["sslmode"], got["sslrootcert"]) == ("", "")


@pytest.mark.parametrize(
    ("backend", "expected"),
    [("cockroachdb", ("verify-full", CRDB_CA)), ("postgresql", ("prefer", ""))],
)
def test_migration_target_defaults(tmp_path, backend, expected):
    got = _render(
        tmp_path,
        [MIGRATE_ROLE / "defaults" / "main.yml"],
        {"sslmode": "migrate_target_sslmode", "sslrootcert": "migrate_target_sslrootcert"},
        {"migrate_target_backend": backend},
    )
    assert (got["sslmode"], got["sslrootcert"]) == expected
