"""Pip index and proxy credentials of the airflow role (issue 15: "Secrets in -vvv").

The role writes pip's settings into a root-only environment file that roles/airflow/files/with_airflow_env.py
loads, and the index's credentials into a root-only netrc file (NETRC), so that nothing secret is a task
argument, an Ansible ``environment:`` (both printed at -vvv, the latter on the command line) or part of the
index URL (pip puts that URL on the command line of the pip it runs to build an sdist's build dependencies).

Proves, with the real programs and real sockets on this machine:
- the airflow_pip_index filter splits the credentials out of the URL, percent-decoded;
- the real pip, given the credential-free URL and the netrc file the way the role gives them, sends the
  credentials to the index (a local index server that answers 401 without them);
- fetch_url.py, which downloads the constraints, goes through the proxy named in that environment file and
  sends the proxy's credentials, and says "changed" only when the file changed.
Does not prove how Ansible runs these tasks: the airflow_pg3 Molecule scenario sets an index URL with a
credential and scans /proc/*/cmdline and its -vvv output for it.
"""

from __future__ import annotations

import base64
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from ansible_collections.airflow_ops.metastore.plugins.filter.airflow import (
    env_file_value,
    netrc_token,
    pip_index,
)

FILES = Path(__file__).resolve().parents[2] / "roles" / "airflow" / "files"
RUNNER = FILES / "with_airflow_env.py"
FETCH = FILES / "fetch_url.py"


def test_the_index_credentials_leave_the_url_percent_decoded():
    assert pip_index("https://ci%40corp:t%2Fk%3An@pypi.example:8443/simple/") == {
        "url": "https://pypi.example:8443/simple/",
        "machine": "pypi.example",
        "login": "ci@corp",
        "password": "t/k:n",
    }
    assert pip_index("https://token@[::1]/simple")["url"] == "https://[::1]/simple"
    assert pip_index("https://pypi.example/simple") == {
        "url": "https://pypi.example/simple",
        "machine": "pypi.example",
        "login": "",
        "password": "",
    }
    assert pip_index("")["url"] == ""


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every GET from a dict of path -> body; records the headers it was sent."""

    pages: dict[str, bytes] = {}
    seen: list[dict[str, str]] = []
    require_auth: str | None = None
    auth_header = "Authorization"

    def do_GET(self):
        type(self).seen.append(dict(self.headers))
        if self.require_auth and self.headers.get(self.auth_header) != self.require_auth:
            code = 407 if self.auth_header == "Proxy-Authorization" else 401
            self.send_response(code)
            self.send_header("WWW-Authenticate", 'Basic realm="index"')
            self.send_header("Proxy-Authenticate", 'Basic realm="proxy"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self.path.split("://", 1)[-1].split("/", 1)[-1]  # a proxy gets the absolute URL
        body = type(self).pages.get("/" + path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if path.endswith("/") else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    handler = type("Handler", (_Recorder,), {"pages": {}, "seen": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield handler, httpd.server_address[1]
    httpd.shutdown()


def basic(login, password):
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def write_pip_files(tmp_path, env, index=None):
    """pip.env and pip.netrc as roles/airflow/tasks/install.yml writes them."""
    if index and index["login"]:
        netrc = tmp_path / "pip.netrc"
        netrc.write_text(
            f"machine {netrc_token(index['machine'])} login {netrc_token(index['login'])} "
            f"password {netrc_token(index['password'])}\n"
        )
        env = {**env, "NETRC": str(netrc)}
    env_file = tmp_path / "pip.env"
    env_file.write_text("".join(f"{k}={env_file_value(v)}\n" for k, v in sorted(env.items())))
    return env_file


def test_pip_sends_the_index_credentials_from_the_netrc_file(tmp_path, server):
    handler, port = server
    login, password = "molecule", 'to"ken w\\ith sp@ce'
    handler.require_auth = basic(login, password)
    handler.pages["/simple/airflow-ops-probe/"] = b"<html><body></body></html>"
    index = pip_index(f"http://{login}:{quote(password, safe='')}@127.0.0.1:{port}/simple/")
    assert index["password"] == password
    env_file = write_pip_files(tmp_path, {"PIP_INDEX_URL": index["url"]}, index)
    home = tmp_path / "home"  # no ~/.netrc or pip config of this machine's user
    home.mkdir()
    pip = shutil.which("pip", path=str(Path(sys.executable).parent))
    result = subprocess.run(
        [sys.executable, str(RUNNER), str(env_file), pip, "download", "--no-deps", "--no-cache-dir",
         "--disable-pip-version-check", "-d", str(tmp_path / "d"), "airflow-ops-probe"],
        capture_output=True, text=True, check=False, timeout=120,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "PIP_CONFIG_FILE": "/dev/null"},
    )  # fmt: skip
    # The index listed no file: pip asked with the credentials and found nothing to download.
    assert "No matching distribution found for airflow-ops-probe" in result.stderr, result.stderr
    assert [h.get("Authorization") for h in handler.seen][-1] == basic(login, password)
    assert password not in result.stdout + result.stderr


def test_the_constraints_download_goes_through_the_proxy_with_its_credentials(tmp_path, server):
    handler, port = server
    handler.require_auth = basic("proxyuser", "proxy-secret")
    handler.auth_header = "Proxy-Authorization"
    handler.pages["/constraints-3.3.2/constraints-3.11.txt"] = b"apache-airflow-providers-fab==2.4.0\n"
    proxy = f"http://proxyuser:proxy-secret@127.0.0.1:{port}"
    env_file = write_pip_files(tmp_path, {"http_proxy": proxy, "https_proxy": proxy, "PIP_PROXY": proxy})
    dest = tmp_path / "constraints.txt"
    url = "http://constraints.invalid/constraints-3.3.2/constraints-3.11.txt"  # only the proxy can reach it

    def fetch():
        return subprocess.run(
            [sys.executable, str(RUNNER), str(env_file), sys.executable, str(FETCH), url, str(dest)],
            capture_output=True, text=True, check=False, timeout=60, env={"PATH": "/usr/bin:/bin"},
        )  # fmt: skip

    first, second = fetch(), fetch()
    assert (first.returncode, first.stdout) == (0, "changed\n"), first.stderr
    assert (second.returncode, second.stdout) == (0, ""), second.stderr
    assert dest.read_bytes() == b"apache-airflow-providers-fab==2.4.0\n"
    assert oct(dest.stat().st_mode & 0o777) == "0o644"
    assert handler.seen[-1]["Proxy-Authorization"] == basic("proxyuser", "proxy-secret")


def test_a_failed_download_says_why(tmp_path, server):
    _handler, port = server
    result = subprocess.run(
        [sys.executable, str(FETCH), f"http://127.0.0.1:{port}/missing.txt", str(tmp_path / "c.txt")],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "cannot download" in result.stderr and "Not Found" in result.stderr
    assert not (tmp_path / "c.txt").exists()
