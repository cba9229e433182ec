"""Start a throw-away, real PostgreSQL server on loopback for tests and benchmarks.

Nothing here is a mock: it runs the distribution's own ``initdb`` and ``pg_ctl`` in a temporary
directory, on a free port bound to 127.0.0.1, with scram-sha-256 password authentication, so
tests exercise the same code paths as an operator's server.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


def find_pg_bindir(major: str | None = None) -> Path:
    """Return the newest (or the given major's) PostgreSQL server bin directory."""
    pattern = f"/usr/lib/postgresql/{major or '*'}/bin/initdb"
    candidates = sorted(glob.glob(pattern), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise RuntimeError(
            "No PostgreSQL server found under /usr/lib/postgresql: "
            "install it with `apt-get install postgresql-15` (scripts/install-host-deps.sh does)."
        )
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server; ``superuser``/``password`` log in over TCP on ``host``:``port``."""

    datadir: Path
    port: int
    bindir: Path
    host: str = "127.0.0.1"
    superuser: str = "postgres"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    run_as: str | None = None
    settings: dict[str, str] = field(default_factory=dict)

    def _run(self, *argv: str, **kwargs) -> subprocess.CompletedProcess:
        cmd = list(argv)
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)

    def init(self) -> None:
        pwfile = self.datadir.parent / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._chown(self.datadir.parent)
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            self.superuser,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        pwfile.unlink()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.datadir} -c listen_addresses={self.host}"
        # pg_ctl passes -o through /bin/sh: quote each setting.
        options += "".join(f" -c {shlex.quote(f'{name}={value}')}" for name, value in self.settings.items())
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-l",
            str(self.datadir.parent / "server.log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop")

    def _chown(self, path: Path) -> None:
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            for root, dirs, files in os.walk(path):
                for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                    os.chown(name, entry.pw_uid, entry.pw_gid)

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, dbname: str, user: str | None = None, password: str | None = None) -> str:
        user = user or self.superuser
        password = self.password if password is None else password
        return f"postgresql://{user}:{password}@{self.host}:{self.port}/{dbname}"

    def params(self, dbname: str = "postgres") -> dict:
        """Discrete libpq parameters, as the modules take them."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.superuser,
            "password": self.password,
            "dbname": dbname,
        }


# Tests throw their servers away: durability only costs them time.
TEST_SETTINGS = {"fsync": "off"}


def start_postgres(major: str | None = None, settings: dict[str, str] | None = None) -> PostgresServer:
    """Initialise and start a fresh server; the caller must ``stop()`` and remove ``datadir.parent``.

    ``settings`` are server parameters (``-c name=value``) on top of, or replacing, TEST_SETTINGS.
    """
    bindir = find_pg_bindir(major)
    base = Path(tempfile.mkdtemp(prefix="airflow-ops-pg-"))
    # PostgreSQL refuses to run as root; CI runs as root, developers may not.
    run_as = "postgres" if os.geteuid() == 0 else None
    server = PostgresServer(
        datadir=base / "data",
        port=free_port(),
        bindir=bindir,
        run_as=run_as,
        settings={**TEST_SETTINGS, **(settings or {})},
    )
    try:
        server.init()
        server.start()
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr}") from exc
    return server


def remove_postgres(server: PostgresServer) -> None:
    try:
        server.stop("immediate")
    finally:
        shutil.rmtree(server.datadir.parent, ignore_errors=True)
