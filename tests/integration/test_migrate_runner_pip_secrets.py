"""The migrate role's runner step (roles/migrate/tasks/runner.yml) with a pip index URL that carries a
credential, on a real Debian 12 systemd host in podman, run by ansible-playbook at verbosity 3 (issue 15).

Proves: the runner's virtualenv gets psycopg2 and pglast through that index (PyPI ignores the credential),
while the credential appears neither in Ansible's -vvv output nor on any process's command line (every
/proc/*/cmdline on this machine, which sees the container's processes, is read about every 20 ms during
the run); pip reads the credential-free URL from the virtualenv's pip.conf and the credential from a
root-only netrc file. Fails on the old runner.yml, which gave pip ``--index-url URL`` (the -vvv output
held the token). Does not prove that a private index that needs the credential gets it: that is proven
for the same netrc mechanism by tests/unit/test_airflow_pip_secrets.py (a local index answering 401).
"""

from __future__ import annotations

import importlib.util
import subprocess
import threading
import time

import pytest

from tests.support import podman_host
from tests.support.airflow_env import REPO_ROOT
from tests.support.playbook import run_playbook

NAME = "airflow-ops-runner-pip-test"
TOKEN = "runner-pip-index-token-not-a-real-one"
VENV = "/opt/airflow-ops/migrate-venv"
CA_BUNDLE = "/usr/local/share/airflow-ops/ca-bundle.crt"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.skipif(podman_host.skip_reason() is not None, reason=str(podman_host.skip_reason())),
]


def _secret_scan():
    spec = importlib.util.spec_from_file_location(
        "secret_scan", REPO_ROOT / "molecule" / "shared" / "files" / "secret_scan.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class CommandLineScanner(threading.Thread):
    """Reads every process's command line until stopped; keeps the PIDs whose command line held a secret."""

    def __init__(self, secrets):
        super().__init__(daemon=True)
        self.scan, self.secrets = _secret_scan(), secrets
        self.scans, self.hits, self.stopping = 0, set(), threading.Event()

    def run(self):
        while not self.stopping.is_set():
            for pid, cmdline in self.scan.command_lines():
                if self.scan.hits_in(cmdline, self.secrets):
                    self.hits.add(pid)
            self.scans += 1
            time.sleep(self.scan.SCAN_INTERVAL)


@pytest.fixture
def runner_host():
    podman_host.start_host(NAME)
    yield NAME
    podman_host.remove_host(NAME)


def _in_host(*argv):
    return subprocess.run(["podman", "exec", NAME, *argv], capture_output=True, text=True, check=False)


def test_the_runner_installs_through_an_index_with_a_credential_it_never_shows(tmp_path, runner_host):
    runner_step = {"name": "airflow_ops.metastore.migrate", "tasks_from": "runner"}
    tasks = [{"ansible.builtin.include_role": runner_step}]
    play = [{"hosts": runner_host, "gather_facts": False, "tasks": tasks}]
    extra = {
        "_migrate_runner": runner_host,
        "migrate_runner_venv": VENV,
        "migrate_dump_dir": "/var/lib/airflow-ops/migrate/airflow",
        "migrate_pip_index_url": f"https://runner:{TOKEN}@pypi.org/simple",
        # The machine's CA bundle in the test-host image (scripts/prepare-test-hosts.sh): this network may
        # inspect TLS. pip must read it from pip.conf too.
        "migrate_pip_cert": CA_BUNDLE,
    }
    scanner = CommandLineScanner({"migrate_pip_index_url": TOKEN})
    scanner.start()
    try:
        verbose = {"ANSIBLE_VERBOSITY": "3"}
        inventory = podman_host.inventory(runner_host)
        result = run_playbook(tmp_path, play, extra, inventory=inventory, env=verbose, timeout=900)
    finally:
        scanner.stopping.set()
        scanner.join()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert _secret_scan().hits_in(output, {"token": TOKEN}) == [], "-vvv output holds the credential"
    assert scanner.scans > 100 and scanner.hits == set(), f"{scanner.scans} scans, hits: {scanner.hits}"
    assert _in_host(f"{VENV}/bin/python", "-c", "import pglast, psycopg2").returncode == 0
    pip_conf = _in_host("cat", f"{VENV}/pip.conf").stdout
    assert "index-url = https://pypi.org/simple" in pip_conf and TOKEN not in pip_conf
    assert f"cert = {CA_BUNDLE}" in pip_conf
    netrc = _in_host("stat", "-c", "%U %a", f"{VENV}/pip.netrc").stdout.split()
    assert netrc == ["root", "600"]
    assert TOKEN in _in_host("cat", f"{VENV}/pip.netrc").stdout
