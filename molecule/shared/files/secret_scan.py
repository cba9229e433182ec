"""Look for a scenario's secrets where they must never be: process command lines, and Ansible's output.

Two uses, both on real runs (issue 15: the database URL sat in /proc/PID/cmdline for the whole of
`airflow db migrate`, and in the -vvv EXEC line):

  secret_scan.py proc SECRETS_FILE REPORT_FILE
      Inside a test host, started by the scenario's prepare step as a systemd service: reads every
      /proc/*/cmdline about every 20 ms until stopped and writes REPORT_FILE (scans done, hits) each
      second. The verify step stops it and fails on any hit, or on too few scans to mean anything.
  secret_scan.py output SCENARIO_DIR LOG_FILE
      On the controller, after `molecule test` ran with -vvv: fails when LOG_FILE holds any secret of
      the scenario (the values of its secret variables in molecule.yml).

A secret is also looked for as it appears inside a URL (percent-quoted) and base64-encoded. A hit is
reported by variable name and place, never by value.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from urllib.parse import quote

# The scenario variables that hold secrets (molecule.yml group_vars); prepare.yml writes the same ones.
SECRET_VARIABLE = re.compile(r"^airflow_.*(password|fernet_key|secret_key|jwt_secret)$")
SCAN_INTERVAL = 0.02


def forms(value: str) -> set[str]:
    """The ways a secret can show up in text: as is, percent-quoted in a URL, base64."""
    found = {value, quote(value, safe=""), base64.b64encode(value.encode()).decode()}
    return {form for form in found if len(form) >= 6}


def secrets_of_scenario(scenario_dir: Path) -> dict[str, str]:
    import yaml  # the controller's venv has it; the test hosts do not need it

    molecule = yaml.safe_load((scenario_dir / "molecule.yml").read_text())
    group_vars = molecule["provisioner"]["inventory"]["group_vars"]["all"]
    return {name: str(value) for name, value in group_vars.items() if SECRET_VARIABLE.match(name) and value}


def hits_in(text: str, secrets: dict[str, str]) -> list[str]:
    return sorted(name for name, value in secrets.items() if any(form in text for form in forms(value)))


def scan_output(scenario_dir: str, log_file: str) -> int:
    secrets = secrets_of_scenario(Path(scenario_dir))
    if not secrets:
        print(f"secret_scan: {scenario_dir}/molecule.yml names no secret variable: nothing to look for")
        return 1
    text = Path(log_file).read_text(errors="replace")
    found = hits_in(text, secrets)
    for name in found:
        lines = [
            n for n, line in enumerate(text.splitlines(), 1) if any(f in line for f in forms(secrets[name]))
        ]
        print(f"secret_scan: the value of {name} is in the output, lines {lines[:10]}")
    print(f"secret_scan: looked for {len(secrets)} secrets in {len(text.splitlines())} lines of output")
    return 1 if found else 0


def command_lines():
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    yield pid, handle.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue  # the process ended between listdir and open


def write_report(path: str, report: dict) -> None:
    with open(path + ".tmp", "w") as handle:
        json.dump(report, handle)
    os.replace(path + ".tmp", path)


def scan_processes(secrets_file: str, report_file: str) -> int:
    names = [line for line in Path(secrets_file).read_text().splitlines() if "=" in line]
    secrets = dict(line.split("=", 1) for line in names)
    report = {"secrets": sorted(secrets), "scans": 0, "hits": []}
    seen = set()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    last_write = 0.0
    while not stopping:
        for pid, cmdline in command_lines():
            for name in hits_in(cmdline, secrets):
                if (name, pid) not in seen:
                    seen.add((name, pid))
                    words = cmdline.split()
                    report["hits"].append({"variable": name, "pid": pid, "program": " ".join(words[:3])})
        report["scans"] += 1
        if time.monotonic() - last_write > 1:
            write_report(report_file, report)
            last_write = time.monotonic()
        time.sleep(SCAN_INTERVAL)
    write_report(report_file, report)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[1] == "proc":
        return scan_processes(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "output":
        return scan_output(argv[2], argv[3])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
