"""The haproxy role's config, rendered by Ansible and checked by the real `haproxy -c`; bad input refused.

Each case runs ansible-playbook on localhost: the role's own preflight tasks (input checks, listener
resolution, published timeouts), then its template with `validate: haproxy -c -f %s`, as the role does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.playbook import run_playbook

REPO_ROOT = Path(__file__).resolve().parents[2]
ROLE = REPO_ROOT / "roles" / "haproxy"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="needs the haproxy binary (make deps)"),
]

PROXY = "proxy ansible_connection=local"

CRDB_NODES = [
    {"name": "crdb1", "address": "192.0.2.11"},
    {"name": "crdb2", "address": "192.0.2.12"},
    {"name": "crdb3", "address": "192.0.2.13"},
]


def role_render_task():
    """The role's own "Render haproxy.cfg" task, so these tests check the validate command it really runs."""
    tasks = yaml.safe_load((ROLE / "tasks" / "configure.yml").read_text())
    (task,) = [t for t in tasks if t["name"].startswith("Render haproxy.cfg")]
    return task


def preflight_and_render(dest, **task_options):
    """The role's preflight, then its template rendered to ``dest`` and checked as the role checks it."""
    preflight = {
        "name": "Run the role's preflight",
        "ansible.builtin.include_role": {
            "name": "airflow_ops.metastore.haproxy",
            "tasks_from": "preflight",
            "public": True,
        },
    }
    render = {
        "name": "Render the role's template, validated by haproxy -c",
        "ansible.builtin.template": {
            "src": str(ROLE / "templates" / "haproxy.cfg.j2"),
            "dest": str(dest),
            "mode": "0600",
            "validate": role_render_task()["ansible.builtin.template"]["validate"],
        },
        **task_options,
    }
    return [preflight, render]


def render(tmp_path, **role_vars):
    """Render haproxy.cfg through the role; return (config text, published effective timeouts)."""
    config, timeouts = tmp_path / "haproxy.cfg", tmp_path / "timeouts.json"
    play = [
        {
            "name": "Render the haproxy role's config",
            "hosts": "proxy",
            "gather_facts": False,
            "tasks": [
                *preflight_and_render(config),
                {
                    "name": "Save the published timeouts",
                    "ansible.builtin.copy": {
                        "content": "{{ {'effective': haproxy_effective_timeouts, "
                        "'client': haproxy_client_timeout_seconds} | to_json }}",
                        "dest": str(timeouts),
                        "mode": "0600",
                    },
                },
            ],
        }
    ]
    result = run_playbook(tmp_path, play, role_vars, inventory=PROXY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_haproxy_accepts_without_warnings(config)
    return config.read_text(), json.loads(timeouts.read_text())


def assert_haproxy_accepts_without_warnings(config):
    """Stricter than the role's validate: -dW turns any warning into a failure."""
    checked = subprocess.run(
        ["haproxy", "-dW", "-c", "-f", str(config)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HAPROXY_STATS_PASSWORD": "test-only"},
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def listen_block(config, name):
    block = config.split(f"\nlisten {name}\n", 1)[1].split("\nlisten ", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_cockroachdb_profile_renders_what_cockroach_gen_haproxy_writes_and_haproxy_accepts_it(tmp_path):
    config, timeouts = render(
        tmp_path,
        haproxy_listeners=[
            {"name": "cockroachdb", "port": 26257, "profile": "cockroachdb", "servers": CRDB_NODES}
        ],
    )
    block = listen_block(config, "cockroachdb")
    for line in (
        "bind 0.0.0.0:26257",
        "mode tcp",
        "balance roundrobin",
        "timeout client 10m",
        "timeout server 10m",
        "option clitcpka",
        "option httpchk GET /health?ready=1",
        "server crdb1 192.0.2.11:26257 check port 8080",
        "server crdb3 192.0.2.13:26257 check port 8080",
    ):
        assert line in block
    assert timeouts["client"] == 600
    assert timeouts["effective"]["listeners"]["cockroachdb"]["idle_seconds"] == 600


def test_postgresql_profile_renders_pgsql_check_with_tunables_and_haproxy_accepts_it(tmp_path):
    config, timeouts = render(
        tmp_path,
        haproxy_listeners=[
            {
                "name": "metastore",
                "port": 6432,
                "profile": "postgresql",
                "servers": [
                    {"name": "pg1", "address": "192.0.2.21"},
                    {"address": "192.0.2.22", "port": 5433},
                ],
                "timeout_server": "300000",
                "maxconn": 200,
            }
        ],
        haproxy_check_interval="3s",
        haproxy_check_rise=3,
        haproxy_check_fall=4,
        haproxy_pgsql_check_user="lbcheck",
    )
    block = listen_block(config, "metastore")
    for line in (
        "option pgsql-check user lbcheck",
        "maxconn 200",
        "timeout server 300000",
        "default-server inter 3s rise 3 fall 4 on-marked-down shutdown-sessions",
        "server pg1 192.0.2.21:5432 check",
        "server 192.0.2.22 192.0.2.22:5433 check",
    ):
        assert line in block
    assert "option clitcpka" not in block
    assert timeouts["client"] == 300


def test_postgresql_profile_with_a_patroni_check_port_renders_an_http_check_and_haproxy_accepts_it(tmp_path):
    config, _timeouts = render(
        tmp_path,
        haproxy_listeners=[
            {
                "name": "primary",
                "port": 5000,
                "profile": "postgresql",
                "check_port": 8008,
                "servers": [{"name": "pg1", "address": "192.0.2.21"}],
            }
        ],
    )
    block = listen_block(config, "primary")
    assert "option httpchk GET /primary" in block
    assert "server pg1 192.0.2.21:5432 check port 8008" in block
    assert not any("pgsql-check" in line for line in block)


def test_servers_from_an_inventory_group_and_a_loopback_stats_page_render_and_haproxy_accepts_them(tmp_path):
    inventory = "\n".join(
        [
            "proxy ansible_connection=local",
            "[crdb]",
            "node1 ansible_host=192.0.2.31",
            "node2 ansible_host=192.0.2.32",
        ]
    )
    (tmp_path / "inventory.ini").write_text(inventory)
    role_vars = {
        "haproxy_listeners": [
            {"name": "crdb", "port": 26257, "profile": "cockroachdb", "backend_group": "crdb"},
            {
                "name": "metastore",
                "port": 5432,
                "profile": "postgresql",
                "servers": [{"address": "192.0.2.21"}],
            },
        ],
        "haproxy_stats_enabled": True,
        "haproxy_stats_password": "not-in-the-output",
    }
    play = [
        {
            "name": "Render with groups",
            "hosts": "proxy",
            "gather_facts": False,
            "tasks": [
                *preflight_and_render(tmp_path / "haproxy.cfg", no_log=True),
            ],
        }
    ]
    result = run_playbook(tmp_path, play, role_vars, inventory=inventory)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not-in-the-output" not in result.stdout + result.stderr
    assert_haproxy_accepts_without_warnings(tmp_path / "haproxy.cfg")
    config = (tmp_path / "haproxy.cfg").read_text()
    crdb = listen_block(config, "crdb")
    assert "server node1 192.0.2.31:26257 check port 8080" in crdb
    assert "server node2 192.0.2.32:26257 check port 8080" in crdb
    stats = listen_block(config, "stats")
    assert "bind 127.0.0.1:8404" in stats
    # The password stays out of the file: HAProxy expands it from its service's environment.
    assert 'stats auth "admin:${HAPROXY_STATS_PASSWORD}"' in stats
    assert "not-in-the-output" not in config


def test_a_config_haproxy_rejects_fails_with_haproxy_s_reason_and_no_secret(tmp_path):
    """A rejected config says why (issue 13: the task was no_log, so the reason was hidden).

    Proves: the role's render task, with the stats page on, shows haproxy -c's own message for an
    unresolvable server name, and neither the output nor the rendered file holds the stats password.
    Does not prove: anything about the running service (the haproxy Molecule scenario does that).
    """
    role_vars = {
        "haproxy_listeners": [
            {
                "name": "metastore",
                "port": 5432,
                "profile": "postgresql",
                "servers": [{"name": "target", "address": "no-such-host.invalid"}],
            }
        ],
        "haproxy_stats_enabled": True,
        "haproxy_stats_password": "never-in-the-output",
    }
    render = role_render_task()
    task_options = {k: render[k] for k in ("no_log", "diff") if k in render}
    play = [
        {
            "name": "Render a config haproxy -c rejects",
            "hosts": "proxy",
            "gather_facts": False,
            "tasks": preflight_and_render(tmp_path / "haproxy.cfg", **task_options),
        }
    ]
    result = run_playbook(tmp_path, play, role_vars, inventory=PROXY)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "could not resolve address 'no-such-host.invalid'" in output
    assert "never-in-the-output" not in output


@pytest.mark.parametrize(
    ("role_vars", "message"),
    [
        (
            {"haproxy_listeners": [{"name": "pg", "port": 5432, "profile": "postgresql", "servers": []}]},
            "haproxy_listeners[0] (pg): the backend is empty",
        ),
        ({"haproxy_listeners": []}, "haproxy_listeners is empty"),
        (
            {
                "haproxy_listeners": [
                    {
                        "name": "a",
                        "port": 5432,
                        "profile": "postgresql",
                        "servers": [{"address": "192.0.2.1"}],
                    },
                    {
                        "name": "b",
                        "port": 5432,
                        "profile": "cockroachdb",
                        "servers": [{"address": "192.0.2.2"}],
                    },
                ]
            },
            "port 5432 is used by both listener 'a' and listener 'b'",
        ),
        (
            {
                "haproxy_listeners": [
                    {
                        "name": "pg",
                        "port": 5432,
                        "profile": "postgresql",
                        "servers": [{"address": "192.0.2.1"}],
                    }
                ],
                "haproxy_timeout_client": "ten minutes",
            },
            "timeout_client: 'ten minutes' is not an HAProxy time",
        ),
        (
            {
                "haproxy_listeners": [
                    {
                        "name": "pg",
                        "port": 5432,
                        "profile": "postgresql",
                        "servers": [{"address": "192.0.2.1"}],
                    }
                ],
                "haproxy_stats_enabled": True,
                "haproxy_stats_bind_address": "0.0.0.0",  # noqa: S104
                "haproxy_stats_password": "pw-not-shown",
            },
            "haproxy_stats_bind_address '0.0.0.0' is not a loopback address",
        ),
    ],
    ids=["empty-backend", "no-listeners", "duplicate-port", "invalid-timeout", "stats-not-loopback"],
)
def test_the_role_refuses_bad_input_before_installing_or_writing_anything(tmp_path, role_vars, message):
    # --check and a config path under tmp_path: even a broken preflight could not touch this machine.
    play = [
        {
            "name": "Apply the whole role",
            "hosts": "proxy",
            "gather_facts": False,
            "roles": ["airflow_ops.metastore.haproxy"],
        }
    ]
    role_vars = {**role_vars, "_haproxy_config_file": str(tmp_path / "haproxy.cfg")}
    result = run_playbook(tmp_path, play, role_vars, inventory=PROXY, check=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert message in output
    assert "Nothing was changed." in output
    assert "Install the haproxy package" not in output
    assert "pw-not-shown" not in output
    assert not (tmp_path / "haproxy.cfg").exists()
