"""The airflow role's secrets decision (roles/airflow/tasks/secrets.yml) across hosts, with real Ansible.

Two hosts on this machine (local connection), each with its own airflow_etc_dir under tmp_path, run the
role's secrets tasks as a real play would. Proves: hosts share one set of secrets; keys that differ between
hosts stop the run with how to rotate, and a --limit run that would invent new keys stops too (issue 15:
fernet key drift), both without touching the stored files; an operator's "NEW,OLD" fernet key replaces
differing stored ones. Does not prove anything about Airflow reading the keys (the Molecule scenarios do).
"""

from __future__ import annotations

import json

import pytest

from tests.support.playbook import run_playbook

pytestmark = pytest.mark.integration

INVENTORY = "[airflow]\nh1 ansible_connection=local\nh2 ansible_connection=local"
PLAY = [
    {
        "name": "Decide Airflow's secrets",
        "hosts": "airflow",
        "gather_facts": False,
        "vars": {"airflow_etc_dir": "{{ etc_root }}/{{ inventory_hostname }}"},
        "tasks": [
            {
                "name": "Run the role's secrets tasks",
                "ansible.builtin.include_role": {
                    "name": "airflow_ops.metastore.airflow",
                    "tasks_from": "secrets",
                },
            }
        ],
    }
]
SECRETS = {"fernet_key": "a" * 43 + "=", "secret_key": "s1", "jwt_secret": "j1"}


def store(tmp_path, host, secrets):
    folder = tmp_path / "etc" / host
    folder.mkdir(parents=True)
    (folder / "secrets.json").write_text(json.dumps(secrets))


def stored(tmp_path, host):
    path = tmp_path / "etc" / host / "secrets.json"
    return json.loads(path.read_text()) if path.exists() else None


def run(tmp_path, limit=None, **extra):
    for host in ("h1", "h2"):  # the role creates airflow_etc_dir in install.yml, before these tasks
        (tmp_path / "etc" / host).mkdir(parents=True, exist_ok=True)
    return run_playbook(
        tmp_path, PLAY, {"etc_root": str(tmp_path / "etc"), **extra}, inventory=INVENTORY, limit=limit
    )


def test_a_new_host_gets_the_secrets_the_other_host_keeps(tmp_path):
    store(tmp_path, "h1", SECRETS)
    result = run(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert stored(tmp_path, "h2") == SECRETS == stored(tmp_path, "h1")


def test_hosts_with_different_fernet_keys_stop_the_run_and_keep_their_files(tmp_path):
    store(tmp_path, "h1", SECRETS)
    store(tmp_path, "h2", {**SECRETS, "fernet_key": "b" * 43 + "="})
    result = run(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "keep different fernet_key" in output
    assert "rotate-fernet-key" in output
    assert stored(tmp_path, "h2")["fernet_key"] == "b" * 43 + "="
    assert SECRETS["fernet_key"] not in output


def test_a_limit_run_on_a_host_without_secrets_does_not_invent_new_ones(tmp_path):
    store(tmp_path, "h1", SECRETS)
    result = run(tmp_path, limit="h2")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "This is a --limit run" in output
    assert stored(tmp_path, "h2") is None


def test_a_given_new_and_old_fernet_key_replaces_differing_stored_keys(tmp_path):
    store(tmp_path, "h1", SECRETS)
    store(tmp_path, "h2", {**SECRETS, "fernet_key": "b" * 43 + "="})
    rotation = "c" * 43 + "=," + "a" * 43 + "="
    result = run(tmp_path, airflow_fernet_key=rotation)
    assert result.returncode == 0, result.stdout + result.stderr
    assert stored(tmp_path, "h1")["fernet_key"] == rotation == stored(tmp_path, "h2")["fernet_key"]
