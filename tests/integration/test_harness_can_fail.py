"""The Molecule harness must be able to fail: a non-idempotent role fails `molecule test`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HARNESS_DIR = Path(__file__).resolve().parents[1] / "harness"
IMAGE = "localhost/airflow-ops-test:bookworm"


def _image_present() -> bool:
    if not shutil.which("podman"):
        return False
    return subprocess.run(["podman", "image", "exists", IMAGE], check=False).returncode == 0


@pytest.mark.slow
def test_molecule_idempotence_step_fails_on_a_non_idempotent_role():
    if not _image_present():
        pytest.skip(f"test-host image {IMAGE} missing: run `make test-hosts` (make test does)")
    env = {**os.environ, "PY_COLORS": "0", "ANSIBLE_FORCE_COLOR": "0"}
    result = subprocess.run(
        ["molecule", "test", "-s", "non_idempotent"],
        cwd=HARNESS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    destroy = ["molecule", "destroy", "-s", "non_idempotent"]
    subprocess.run(destroy, cwd=HARNESS_DIR, env=env, capture_output=True, check=False)
    assert result.returncode != 0, f"molecule passed a non-idempotent role:\n{output[-3000:]}"
    assert "Idempotence test failed" in output, output[-3000:]
    assert "Write a timestamp on every run" in output, output[-3000:]
