"""cockroachdb_user: planning on a real CockroachDB cluster (skipped without AIRFLOW_OPS_TEST_CRDB_URL),
and the module's own checks of its options (no server needed)."""

from __future__ import annotations

import uuid

import psycopg2
import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.cockroachdb_user import plan, read_state

from tests.integration import metastore_helpers as h


def _converge(conn, wanted):
    with conn.cursor() as cur:
        statements = plan(wanted, read_state(cur, wanted["name"], wanted.get("database")))
        for sql, args in statements:
            cur.execute(sql, args)
    conn.commit()
    return statements


@pytest.mark.integration
@pytest.mark.cockroachdb
def test_airflow_user_is_created_then_left_alone_and_keeps_sql_sequences(cockroachdb_url):
    suffix = uuid.uuid4().hex[:8]
    wanted = {
        "name": f"af_{suffix}",
        "password": "Test-pass-1",
        "options": ["LOGIN"],
        "database": f"afdb_{suffix}",
        "create_database": True,
        "privileges": ["ALL"],
        "settings": {"serial_normalization": "sql_sequence"},
    }
    conn = psycopg2.connect(cockroachdb_url)
    try:
        assert _converge(conn, wanted), "a fresh user must need statements"
        assert _converge(conn, wanted) == [], "a second run must plan nothing"
        with conn.cursor() as cur:
            state = read_state(cur, wanted["name"], wanted["database"])
        assert state["privileges"] >= {"ALL"}
        assert state["settings"]["serial_normalization"] == "sql_sequence"
    finally:
        conn.rollback()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{wanted["database"]}" CASCADE')
            cur.execute(f'DROP USER IF EXISTS "{wanted["name"]}"')
        conn.close()


def test_module_refuses_a_url_together_with_discrete_connection_options():
    args = {"name": "airflow", "url": "postgresql://airflow@127.0.0.1:1/defaultdb", "login_host": "other"}
    result = h.run_module("cockroachdb_user", args)
    assert result.get("failed") is True
    assert "mutually exclusive: url|login_host" in result["msg"]
