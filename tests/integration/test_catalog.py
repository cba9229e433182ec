"""catalog.server_identity against a real PostgreSQL: one database reached under two host names is one
identity; another database on the same server is another; a user without pg_control_system() gets the
fallback, and it says so."""

from __future__ import annotations

import uuid

import psycopg2
import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog

pytestmark = pytest.mark.integration


def identity(**params):
    conn = psycopg2.connect(**params)
    try:
        with conn.cursor() as cur:
            return catalog.server_identity(cur)
    finally:
        conn.close()


def test_one_database_under_two_host_names_is_one_identity(postgres_server, pg_database):
    by_address = identity(**postgres_server.params(pg_database))
    by_name = identity(**dict(postgres_server.params(pg_database), host="localhost"))
    assert by_address == by_name
    assert by_address["method"] == "pg_control_system().system_identifier"
    assert by_address["server"].isdigit()
    assert catalog.same_database(by_address, by_name)


def test_another_database_on_the_same_server_is_another_identity(postgres_server, pg_database):
    first = identity(**postgres_server.params(pg_database))
    other = identity(**postgres_server.params("postgres"))
    assert first["server"] == other["server"] and not catalog.same_database(first, other)


def test_without_pg_control_system_the_postmaster_start_time_stands_in_and_says_so(
    postgres_server, pg_database
):
    """PostgreSQL 15 lets every role run pg_control_system(); an administrator may revoke it."""
    role, password = f"plain_{uuid.uuid4().hex[:6]}", "Pw-plain-1"
    admin = psycopg2.connect(**postgres_server.params(pg_database))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", (password,))
    try:
        plain = dict(postgres_server.params(pg_database), user=role, password=password)
        assert identity(**plain)["method"] == "pg_control_system().system_identifier"  # the default grant
        with admin.cursor() as cur:
            cur.execute("REVOKE EXECUTE ON FUNCTION pg_catalog.pg_control_system() FROM PUBLIC")
        fallback = identity(**plain)
        assert (
            fallback["method"].startswith("pg_postmaster_start_time()")
            and "not permitted" in fallback["method"]
        )
        assert fallback["server"].startswith("started ")
        assert fallback == identity(**dict(plain, host="localhost"))
    finally:
        with admin.cursor() as cur:
            cur.execute("GRANT EXECUTE ON FUNCTION pg_catalog.pg_control_system() TO PUBLIC")
            cur.execute(f"DROP ROLE {role}")
        admin.close()


def test_metastore_info_reports_identity_objects_and_no_load(postgres_server, pg_database):
    from tests.integration import metastore_helpers as h

    h.query(postgres_server.url_for(pg_database), "CREATE TABLE t (a int)")
    result = h.run_module("metastore_info", h.conn_args(postgres_server, pg_database), check_mode=True)
    assert result["_rc"] == 0, result.get("msg")
    assert result["changed"] is False
    assert result["identity"] == identity(**postgres_server.params(pg_database))
    assert result["user_objects"] == ["public.t (base table)"]
    assert result["load"] == {"state": "none", "manifest_digest": None, "finished_at": None}
    assert postgres_server.password not in str(result)
