"""Classify the failover clients' connections by when they started, relative to the backend's stop.

Usage: failover_report.py CLIENT_LOG STOP_BEGAN STOP_ENDED
CLIENT_LOG has one line per connection attempt: "<epoch start> <answer or FAILED: error>".
STOP_BEGAN/STOP_ENDED are epoch seconds taken just before `systemctl stop` and just after it returned
(PostgreSQL has exited, its port is closed). Prints JSON for the verifier's assertions.
"""

import json
import sys

log_path, stop_began, stop_ended = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
report = {"total": 0, "answered_by": {}, "last": []}
report.update(failed_before=[], failed_during=[], failed_after=[])
with open(log_path, encoding="utf-8") as log:
    for line in log:
        started, result = line.rstrip("\n").split(" ", 1)
        report["total"] += 1
        report["last"] = (report["last"] + [result])[-5:]
        if not result.startswith("FAILED"):
            report["answered_by"][result] = report["answered_by"].get(result, 0) + 1
        elif float(started) < stop_began:
            report["failed_before"].append(result)
        elif float(started) <= stop_ended:
            report["failed_during"].append(result)
        else:
            report["failed_after"].append(result)
print(json.dumps(report))
