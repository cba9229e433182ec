"""roles/migrate/files/wait_healthy.py, the migration's sub-second health wait, against a real HTTP server.

Proves: it returns as soon as the endpoint reports a healthy metadata database (not before: it polls
through "unhealthy" answers and refused connections), and fails after its timeout saying what it last saw.
Does not prove Airflow's endpoint format beyond the field it reads (the e2e migration runs it against
Airflow 3.3.2's /api/v2/monitor/health).
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "roles" / "migrate" / "files" / "wait_healthy.py"


class Health(http.server.BaseHTTPRequestHandler):
    answers: list[str] = []  # metadatabase status per request; the last one repeats

    def do_GET(self):
        status = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        body = json.dumps({"metadatabase": {"status": status}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v2/monitor/health"
    server.shutdown()


def wait(url, timeout):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), url, str(timeout)], capture_output=True, text=True, check=False
    )
    return proc.returncode, json.loads(proc.stdout)


def test_it_polls_through_unhealthy_answers_until_healthy(endpoint):
    Health.answers = ["unhealthy", "unhealthy", "unhealthy", "healthy"]
    code, result = wait(endpoint, 30)
    assert code == 0 and result["status"] == "metadatabase healthy"
    assert result["polls"] == 4


def test_it_fails_after_the_timeout_with_what_it_saw(endpoint):
    Health.answers = ["unhealthy"]
    code, result = wait(endpoint, 1)
    assert code == 1 and result["status"] == "metadatabase unhealthy"
    assert result["polls"] >= 3


def test_a_refused_connection_is_polled_again_not_fatal():
    code, result = wait("http://127.0.0.1:9/health", 0.5)  # port 9 (discard): nothing listens
    assert code == 1 and result["status"].startswith("URLError")
    assert result["polls"] >= 2
