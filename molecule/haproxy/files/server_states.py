"""Print {server: status} of one HAProxy backend as JSON, read from the admin socket (`show stat`)."""

import csv
import json
import socket
import sys

socket_path, backend = sys.argv[1], sys.argv[2]
with socket.socket(socket.AF_UNIX) as sock:
    sock.connect(socket_path)
    sock.sendall(b"show stat\n")
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
rows = csv.DictReader(data.decode().lstrip("# ").splitlines())
aggregates = ("FRONTEND", "BACKEND")
states = {r["svname"]: r["status"] for r in rows if r["pxname"] == backend and r["svname"] not in aggregates}
print(json.dumps(states))
