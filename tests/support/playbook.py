"""Run a play with the real ansible-playbook against this checkout's collection (role tests on localhost)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCALHOST = "localhost ansible_connection=local"


def run_playbook(
    tmp_path, play, extra_vars, *, inventory=LOCALHOST, check=False, env=None, timeout=300, limit=None
):
    """Write the play, an INI inventory and the extra vars under tmp_path and run them (CompletedProcess).

    Uses the repository's ansible.cfg, the .build/collections path and this interpreter on the hosts.
    """
    (tmp_path / "inventory.ini").write_text(inventory + "\n")
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    (tmp_path / "vars.json").write_text(json.dumps(extra_vars))
    command = [
        str(Path(sys.executable).parent / "ansible-playbook"),
        "-i",
        str(tmp_path / "inventory.ini"),
        "-e",
        f"@{tmp_path / 'vars.json'}",
        str(tmp_path / "play.yml"),
    ]
    if check:
        command.append("--check")
    if limit:
        command += ["--limit", limit]
    full_env = {
        **os.environ,
        "ANSIBLE_COLLECTIONS_PATH": str(REPO_ROOT / ".build" / "collections"),
        "ANSIBLE_CONFIG": str(REPO_ROOT / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        **(env or {}),
    }
    return subprocess.run(
        command, capture_output=True, text=True, env=full_env, cwd=tmp_path, timeout=timeout, check=False
    )
