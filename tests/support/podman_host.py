"""Debian 12 systemd hosts in podman (the image scripts/prepare-test-hosts.sh builds) for tests that run
a role's tasks on a real host through Ansible's podman connection."""

from __future__ import annotations

import os
import shutil
import subprocess

IMAGE = os.environ.get("AIRFLOW_OPS_TEST_IMAGE", "localhost/airflow-ops-test:bookworm")


def skip_reason(image: str = IMAGE) -> str | None:
    """Why a podman host cannot start on this machine, or None."""
    if os.geteuid() != 0:
        return "needs root: the test starts a privileged podman container with systemd"
    if not shutil.which("podman"):
        return "podman is not installed (make test-hosts)"
    if subprocess.run(["podman", "image", "exists", image], check=False).returncode != 0:
        return f"no test-host image {image} (make test-hosts)"
    return None


def start_host(name: str, volumes: tuple[str, ...] = (), image: str = IMAGE) -> None:
    """A booted systemd host on the machine's network (it reaches the test PostgreSQL on loopback)."""
    remove_host(name)
    mounts = [arg for volume in volumes for arg in ("-v", volume)]
    subprocess.run(
        ["podman", "run", "-d", "--name", name, "--privileged", "--systemd=always", "--network", "host",
         *mounts, image, "/sbin/init"],
        check=True, capture_output=True,
    )  # fmt: skip


def remove_host(name: str) -> None:
    subprocess.run(["podman", "rm", "-f", name], capture_output=True, check=False)


def inventory(name: str) -> str:
    """An INI inventory line for the host, with the image's own Python."""
    return f"{name} ansible_connection=containers.podman.podman ansible_python_interpreter=/usr/bin/python3"
