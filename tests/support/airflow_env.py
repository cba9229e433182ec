"""Real Apache Airflow installs for tests: cached venvs, ``airflow db migrate``, ``pg_dump`` of the result.

Each Airflow version gets its own venv under ``$AIRFLOW_OPS_CACHE/airflow-venvs/<version>[-fab]`` (default
``.cache/``, gitignored),
created on first use and reused afterwards; CI starts cold and pays that once per variant (measured
here: 80-140 s each with pip). Airflow's constraints files live on GitHub, which these machines
cannot reach: ``airflow-constraints/<version>[-fab].txt`` beside this file pins every package (see its
README), so every run installs the same packages (the golden pg_dump files depend on them). The same
files are the Molecule scenarios' and the demo's local constraints: one pinned set per Airflow version.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# AIRFLOW_OPS_CACHE (set by the Makefile to a folder outside the checkout when run as root) keeps the venvs
# across clones: CI runs in a fresh clone each time and would otherwise reinstall every Airflow.
VENV_ROOT = Path(os.environ.get("AIRFLOW_OPS_CACHE") or REPO_ROOT / ".cache") / "airflow-venvs"
CONSTRAINTS_DIR = Path(__file__).resolve().parent / "airflow-constraints"

DEFAULT_VERSION = "3.3.2"
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"

# Extra requirements per major version, on top of apache-airflow[postgres]==VERSION.
_EXTRA_PINS = {
    "2": ["sqlalchemy>=1.4.36,<2.0"],
    "3": [],
}


def venv_dir(version: str = DEFAULT_VERSION, fab: bool = False) -> Path:
    return VENV_ROOT / (f"{version}-fab" if fab else version)


def requirements(version: str, fab: bool) -> list[str]:
    reqs = [f"apache-airflow[postgres]=={version}", *_EXTRA_PINS[version.split(".")[0]]]
    if fab:
        reqs.append("apache-airflow-providers-fab")
    return reqs


def constraints_file(version: str, fab: bool) -> Path:
    return CONSTRAINTS_DIR / f"{venv_dir(version, fab).name}.txt"


def _install_spec(version: str, fab: bool) -> str:
    """What the venv is built from; a venv built from anything else is rebuilt."""
    constraints = constraints_file(version, fab)
    pinned = constraints.read_text() if constraints.exists() else "(no constraints file)\n"
    return "\n".join(requirements(version, fab)) + "\n--- constraints ---\n" + pinned


def ensure_airflow(version: str = DEFAULT_VERSION, fab: bool = False) -> Path:
    """Return the venv's ``airflow`` executable, installing the venv first if it is not cached."""
    venv = venv_dir(version, fab)
    airflow = venv / "bin" / "airflow"
    marker = venv / ".airflow-ops-installed"
    spec = _install_spec(version, fab)
    VENV_ROOT.mkdir(parents=True, exist_ok=True)
    # Parallel test runs (or engineers) must not install into the same venv at once.
    with open(VENV_ROOT / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if airflow.exists() and marker.exists() and marker.read_text() == spec:
            return airflow
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        constraints = constraints_file(version, fab)
        if constraints.exists():
            pip += ["-c", str(constraints)]
        result = subprocess.run(
            [*pip, *requirements(version, fab)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            errors = "\n".join(line for line in result.stderr.splitlines() if "is ignored" not in line)
            raise RuntimeError(f"installing Airflow {version} (fab={fab}) failed:\n{errors[-4000:]}")
        if not constraints.exists():
            frozen = subprocess.run(
                [str(venv / "bin" / "python"), "-m", "pip", "freeze", "--disable-pip-version-check"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            constraints.parent.mkdir(parents=True, exist_ok=True)
            constraints.write_text(frozen)
            spec = _install_spec(version, fab)
        marker.write_text(spec)
    return airflow


def airflow_environment(url: str, home: Path, fab: bool = False) -> dict:
    """Environment for one ``airflow`` command against ``url`` (a postgresql:// libpq URL)."""
    sync_url = url.replace("postgresql://", "postgresql+psycopg2://", 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sync_url,
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
    )
    if url.startswith("postgresql://"):
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] = url.replace(
            "postgresql://", "postgresql+asyncpg://", 1
        )
    if fab:
        env["AIRFLOW__CORE__AUTH_MANAGER"] = FAB_AUTH_MANAGER
        env["AIRFLOW__FAB__AUTH_MANAGER"] = FAB_AUTH_MANAGER
    return env


def migrate_airflow_db(url: str, version: str = DEFAULT_VERSION, fab: bool = False) -> None:
    """Run a real ``airflow db migrate`` of ``version`` against the (empty) database at ``url``."""
    airflow = ensure_airflow(version, fab)
    with tempfile.TemporaryDirectory(prefix="airflow-home-") as home:
        result = subprocess.run(
            [str(airflow), "db", "migrate"],
            env=airflow_environment(url, Path(home), fab),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(
            f"airflow {version} db migrate failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )


def dump_schema(server, dbname: str, dest_dir: Path) -> dict:
    """``pg_dump --schema-only`` pre-data and post-data of ``dbname`` into ``dest_dir``.

    ``server`` is a ``tests.support.postgres_server.PostgresServer``; its own major's pg_dump is used.
    Returns ``{"pre-data": path, "post-data": path}``.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PGPASSWORD=server.password)
    files = {}
    for section in ("pre-data", "post-data"):
        path = dest_dir / f"{section}.sql"
        subprocess.run(
            [
                str(server.bindir / "pg_dump"),
                "--schema-only",
                f"--section={section}",
                "-h",
                server.host,
                "-p",
                str(server.port),
                "-U",
                server.superuser,
                "-f",
                str(path),
                dbname,
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        files[section] = path
    return files


# Upgrade chains: how real operators' metastores got to the current release. Each step is that
# release's own ``airflow db migrate`` on the database the previous step left behind, so the result
# holds whatever Airflow's migrations leave on the way (extensions, leftover tables, missing FKs)
# that a fresh ``db migrate`` of the last release never creates.
UPGRADE_CHAINS = {
    "2.9.3": ("2.9.3", "2.11.2", "3.3.2"),
    "2.10.5": ("2.10.5", "2.11.2", "3.3.2"),
}


def migrate_upgrade_chain(url: str, chain: tuple[str, ...]) -> None:
    """Run ``airflow db migrate`` of every release in ``chain``, oldest first, on the database at ``url``."""
    for version in chain:
        migrate_airflow_db(url, version)
