"""The cockroachdb role without a cluster: its rendered systemd unit, certificate layout and input checks."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jinja2
import pytest
import yaml

from tests.support.playbook import run_playbook

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "cockroachdb"
NODES = ["crdb1", "crdb2", "crdb3"]
ROLE_FQCN = "airflow_ops.metastore.cockroachdb"


def render_unit(**overrides):
    variables = {
        "ansible_managed": "Ansible managed",
        "_cockroachdb_binary": "/usr/local/bin/cockroach",
        "cockroachdb_os_user": "cockroach",
        "cockroachdb_data_dir": "/var/lib/cockroach",
        "cockroachdb_certs_dir": "/etc/cockroach/certs",
        "cockroachdb_port": 26257,
        "cockroachdb_http_port": 8080,
        "cockroachdb_advertise_host": "crdb2",
        "cockroachdb_join": [f"{n}:26257" for n in NODES],
        "cockroachdb_cache": ".25",
        "cockroachdb_max_sql_memory": ".25",
        "cockroachdb_extra_start_flags": [],
    }
    variables.update(overrides)
    # Ansible renders templates with trim_blocks=True; do the same so the output is what hosts get.
    # A systemd unit, not HTML: no autoescaping, as in Ansible.
    env = jinja2.Environment(  # noqa: S701
        trim_blocks=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    return env.from_string((ROLE / "templates" / "cockroachdb.service.j2").read_text()).render(variables)


def exec_start_flags(unit):
    joined = unit.replace("\\\n", " ")
    line = next(x for x in joined.splitlines() if x.startswith("ExecStart="))
    return line.split()[2:]


def test_unit_starts_a_secure_node_that_joins_every_node_and_advertises_itself():
    flags = exec_start_flags(render_unit())
    assert flags[:3] == [
        "--certs-dir=/etc/cockroach/certs",
        "--store=/var/lib/cockroach",
        "--listen-addr=:26257",
    ]
    assert "--advertise-addr=crdb2:26257" in flags
    assert "--join=crdb1:26257,crdb2:26257,crdb3:26257" in flags
    assert "--http-addr=:8080" in flags
    assert not any(f.startswith("--insecure") for f in flags)


def test_extra_flags_are_appended_to_the_start_command():
    flags = exec_start_flags(
        render_unit(cockroachdb_extra_start_flags=["--locality=region=eu", "--cache=2GiB"])
    )
    assert flags[-2:] == ["--locality=region=eu", "--cache=2GiB"]


def test_unit_runs_as_the_service_account_with_notify_and_enough_files():
    unit = render_unit()
    for line in ("Type=notify", "User=cockroach", "LimitNOFILE=35000", "WantedBy=multi-user.target"):
        assert line in unit.splitlines()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_rendered_unit_passes_systemd_analyze(tmp_path):
    unit = tmp_path / "cockroachdb.service"
    unit.write_text(render_unit(_cockroachdb_binary="/bin/true"))
    verify = ["systemd-analyze", "verify", str(unit)]
    result = subprocess.run(verify, capture_output=True, text=True, check=False)
    problems = [line for line in result.stderr.splitlines() if "cockroachdb.service" in line]
    assert not problems, result.stderr


def test_certificate_layout_is_what_cockroach_expects_with_private_keys_0600():
    layout = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["_cockroachdb_cert_files"]
    names = {f["name"]: f for f in layout}
    assert set(names) == {"ca.crt", "node.crt", "node.key", "client.root.crt", "client.root.key"}
    for name, entry in names.items():
        assert entry["secret"] == name.endswith(".key")
        assert entry["mode"] == ("0600" if name.endswith(".key") else "0644")
    assert "ca.key" not in names, "the CA key must never be distributed to nodes"


def test_init_tolerates_only_the_already_initialized_answer():
    task = yaml.safe_load((ROLE / "tasks" / "cluster.yml").read_text())[0]
    assert "already been initialized" in task["failed_when"]
    assert task["changed_when"] == "_cockroachdb_init.rc == 0"


def _user_tasks():
    block = yaml.safe_load((ROLE / "tasks" / "cluster.yml").read_text())[1]["block"]
    return {
        t["name"]: t["airflow_ops.metastore.cockroachdb_user"]
        for t in block
        if "airflow_ops.metastore.cockroachdb_user" in t
    }


def test_airflow_user_keeps_sql_sequences():
    airflow = next(v for k, v in _user_tasks().items() if k.startswith("Create Airflow's user"))
    assert airflow["session_settings"]["serial_normalization"] == "sql_sequence"
    assert airflow["privileges"] == ["ALL"] and airflow["create_database"] is True


def test_no_admin_loader_user_by_default_and_disabled_means_dropped():
    """Nothing in the collection logs in as the loader (the migration loads as Airflow's user, which owns
    the tables): it is off by default, and off drops one an earlier version created. Fails on the role
    before this change (enabled by default, never dropped)."""
    assert yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())["cockroachdb_loader_enabled"] is False
    loader = next(v for k, v in _user_tasks().items() if "loader" in k)
    assert loader["member_of"] == ["admin"]
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)  # noqa: S701
    env.filters["bool"] = bool
    for enabled, state in ((True, "present"), (False, "absent")):
        assert env.from_string(loader["state"]).render(cockroachdb_loader_enabled=enabled) == state


def test_no_private_key_is_fetched_to_or_stored_on_the_controller():
    """The role's tasks never fetch from a host and no default points under the playbook directory.
    Fails on the role before this change (it fetched node.key and client.root.key to
    {{ playbook_dir }}/.cockroachdb-certs). molecule/cockroachdb_certs checks the same on real hosts."""
    for path in sorted((ROLE / "tasks").glob("*.yml")):
        for task in _all_tasks(yaml.safe_load(path.read_text()) or []):
            assert "ansible.builtin.fetch" not in task and "fetch" not in task, (
                f"{path.name}: {task.get('name')}"
            )
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    assert "cockroachdb_certs_fetch_dir" not in defaults
    assert not [k for k, v in defaults.items() if "playbook_dir" in str(v)]


def _all_tasks(tasks):
    for task in tasks:
        yield task
        for key in ("block", "rescue", "always"):
            yield from _all_tasks(task.get(key, []))


def _run_role(tmp_path, extra_vars):
    play = [
        {
            "hosts": "crdb1",
            "gather_facts": False,
            "tasks": [{"ansible.builtin.include_role": {"name": ROLE_FQCN}}],
        }
    ]
    return run_playbook(
        tmp_path,
        play,
        extra_vars,
        inventory="[cockroachdb]\ncrdb1 ansible_connection=local",
        env={"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json"},
        timeout=240,
    )


GOOD = {
    "cockroachdb_archive_checksum": "sha256:" + "a" * 64,
    "cockroachdb_airflow_password": "p1",
    "cockroachdb_loader_password": "p2",
}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"cockroachdb_archive_checksum": "md5:abc"}, 'must be \\"sha256:<64 hex>\\"'),
        (
            {"cockroachdb_loader_enabled": True, "cockroachdb_loader_password": ""},
            "cockroachdb_loader_password",
        ),
        ({"cockroachdb_certs_mode": "provided"}, "cockroachdb_ca_cert_src"),
    ],
)
def test_bad_input_stops_before_any_change_with_what_to_fix(tmp_path, bad, message):
    result = _run_role(tmp_path, dict(GOOD, **bad))
    assert result.returncode != 0
    output = json.loads(result.stdout)
    tasks = output["plays"][0]["tasks"]
    changed = [t["task"]["name"] for t in tasks if t["hosts"]["crdb1"].get("changed")]
    assert changed == []
    failed = [t["hosts"]["crdb1"] for t in tasks if t["hosts"]["crdb1"].get("failed")]
    assert failed and message.replace("\\", "") in failed[0]["msg"]
