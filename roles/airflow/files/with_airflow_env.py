"""Run a command with Airflow's environment file loaded, the way its systemd units load it.

Usage: with_airflow_env.py ENV_FILE COMMAND [ARG...]

The airflow role's own Airflow CLI tasks (db check-migrations, db migrate, users, the server probe) go
through this program. The database URL, the fernet key and the other secrets then reach the command from
ENV_FILE (root:airflow, 0640) and never from its argv or from an Ansible ``environment:``, which Ansible
writes into the ``/bin/sh -c`` command line it runs: visible to every local user in /proc/PID/cmdline and
printed in -vvv output (AWX verbosity 3). pip and the constraints download go through it the same way
with the role's pip.env (root, 0600): index and proxy URLs may carry credentials.

The command runs in a session of its own (no controlling terminal), so password prompts read stdin.

ENV_FILE is the role's airflow.env: ``NAME="value"`` lines with ``\\`` and ``"`` escaped by a backslash
(the airflow_env_file_value filter), blank lines and ``#`` comments. A shell's ``. ENV_FILE`` would expand
``$`` and backticks inside a password; this reads the values literally, as systemd does.
"""

from __future__ import annotations

import os
import subprocess
import sys


def unquote(value: str) -> str:
    """The literal value of one ``"..."`` field (backslash escapes), or the text itself when unquoted."""
    if len(value) < 2 or not (value.startswith('"') and value.endswith('"')):
        return value
    chars, escaped = [], False
    for char in value[1:-1]:
        if escaped or char != "\\":
            chars.append(char)
            escaped = False
        else:
            escaped = True
    return "".join(chars)


def parse_env_file(text: str) -> dict[str, str]:
    """``NAME="value"`` lines -> {NAME: value}; blank lines and comments are skipped."""
    env = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        env[name.strip()] = unquote(value.strip())
    return env


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        sys.stderr.write("usage: with_airflow_env.py ENV_FILE COMMAND [ARG...]\n")
        return 2
    env_file, command = argv[1], argv[2:]
    try:
        with open(env_file, encoding="utf-8") as handle:
            loaded = parse_env_file(handle.read())
    except OSError as error:
        sys.stderr.write(f"cannot read Airflow's environment file {env_file}: {error.strerror}\n")
        return 2
    # A session of its own: without a controlling terminal (Ansible over SSH with become has one), Airflow's
    # password prompts (getpass) read the answer from stdin, where the role sends it, instead of waiting
    # on the terminal.
    try:
        return subprocess.run(
            command, env={**os.environ, **loaded}, start_new_session=True, check=False
        ).returncode
    except OSError as error:
        sys.stderr.write(f"cannot run {command[0]}: {error.strerror}\n")
        return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv))
