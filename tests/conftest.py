"""Fixtures shared by unit and integration tests.

``postgres_server`` starts one real PostgreSQL for the session (see tests/support/postgres_server.py);
``pg_database`` gives each test its own fresh database on it. Set AIRFLOW_OPS_TEST_CRDB_URL to a
CockroachDB URL to run the CockroachDB integration tests against a real cluster.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.support.collection import ensure_collection_importable  # noqa: E402
from tests.support.postgres_server import remove_postgres, start_postgres  # noqa: E402

ensure_collection_importable()

CRDB_URL_ENV = "AIRFLOW_OPS_TEST_CRDB_URL"


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server on 127.0.0.1 for the whole test session."""
    server = start_postgres(os.environ.get("AIRFLOW_OPS_TEST_PG_MAJOR"))
    yield server
    remove_postgres(server)


@pytest.fixture
def pg_database(postgres_server):
    """A fresh, empty database on the session server; its name is returned."""
    import psycopg2

    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = psycopg2.connect(postgres_server.url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield name
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture
def cockroachdb_url():
    """The URL of a real CockroachDB cluster, or a skip that says how to provide one."""
    url = os.environ.get(CRDB_URL_ENV)
    if not url:
        pytest.skip(
            f"no CockroachDB here (none can run on this machine): set {CRDB_URL_ENV}="
            "postgresql://root@HOST:26257/defaultdb?sslmode=... to run against a real cluster"
        )
    return url
