"""Wait until Airflow's health endpoint reports a healthy metadata database, polling every 0.2 s.

usage: wait_healthy.py URL TIMEOUT_SECONDS

The migration's downtime window closes when Airflow is healthy again; Ansible's `until` loop waits at
least one second between tries and costs a task round trip each, so this loop runs on the host instead.
Prints one JSON line ({"seconds": waited, "polls": n, "status": ...}); exits 1 after the timeout with the
last answer or error, so the caller can say why.
"""

import json
import sys
import time
import urllib.error
import urllib.request

INTERVAL = 0.2


def health(url):
    """(healthy?, what was seen) for one poll."""
    if not url.startswith(("http://", "https://")):
        return False, f"not an http(s) URL: {url}"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (http(s) checked above)
            body = json.load(answer)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, f"{type(exc).__name__}: {exc}"
    status = (body.get("metadatabase") or {}).get("status", "")
    return status == "healthy", f"metadatabase {status or 'not reported'}"


def main(url, timeout):
    start, polls = time.monotonic(), 0
    while True:
        polls += 1
        healthy, seen = health(url)
        waited = round(time.monotonic() - start, 2)
        if healthy or waited >= timeout:
            print(json.dumps({"seconds": waited, "polls": polls, "status": seen}))
            return 0 if healthy else 1
        time.sleep(INTERVAL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
