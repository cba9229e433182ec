"""The SQL cockroachdb_user would run, planned from wanted and current state (no server needed)."""

from __future__ import annotations

import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.cockroachdb_user import (
    PlanError,
    options_from_rows,
    plan,
    quote_ident,
    settings_from_rows,
)

AIRFLOW = {
    "name": "airflow",
    "password": "s3cret",
    "options": ["LOGIN"],
    "database": "airflow",
    "create_database": True,
    "privileges": ["ALL"],
    "settings": {"serial_normalization": "sql_sequence"},
}
NOTHING = {"exists": False, "database_exists": False}
CONVERGED = {
    "exists": True,
    "options": {"LOGIN": True, "CREATEDB": False, "CREATEROLE": False},
    "member_of": set(),
    "database_exists": True,
    "privileges": {"ALL"},
    "settings": {"serial_normalization": "sql_sequence"},
}


def test_fresh_cluster_gets_user_database_grant_and_sequence_setting_in_order():
    statements = plan(AIRFLOW, NOTHING)
    assert statements == [
        ('CREATE USER "airflow" WITH LOGIN PASSWORD %s', ("s3cret",)),
        ('CREATE DATABASE "airflow"', None),
        ('GRANT ALL ON DATABASE "airflow" TO "airflow"', None),
        ('ALTER ROLE "airflow" IN DATABASE "airflow" SET serial_normalization = %s', ("sql_sequence",)),
    ]


def test_password_is_a_parameter_never_part_of_the_statement_text():
    for sql, _unused in plan(AIRFLOW, NOTHING):
        assert "s3cret" not in sql


def test_converged_user_plans_nothing():
    assert plan(AIRFLOW, CONVERGED) == []


def test_password_is_reset_every_run_only_when_asked():
    assert plan(dict(AIRFLOW, update_password="always"), CONVERGED) == [
        ('ALTER USER "airflow" WITH PASSWORD %s', ("s3cret",))
    ]


def test_only_differing_role_options_are_altered():
    wanted = dict(AIRFLOW, options=["LOGIN", "nocreatedb", "CONTROLJOB"])
    assert plan(wanted, CONVERGED) == [('ALTER USER "airflow" WITH CONTROLJOB', None)]


def test_loader_user_joins_admin_once():
    loader = {"name": "airflow_loader", "password": "x", "member_of": ["admin"]}
    first = plan(loader, NOTHING)
    assert first[-1] == ('GRANT "admin" TO "airflow_loader"', None)
    again = plan(loader, {"exists": True, "options": {}, "member_of": {"admin"}})
    assert again == []


def test_changed_session_setting_is_set_again():
    current = dict(CONVERGED, settings={"serial_normalization": "rowid"})
    assert plan(AIRFLOW, current) == [
        ('ALTER ROLE "airflow" IN DATABASE "airflow" SET serial_normalization = %s', ("sql_sequence",))
    ]


def test_all_privilege_covers_narrower_grants():
    assert plan(dict(AIRFLOW, privileges=["CONNECT", "CREATE"]), CONVERGED) == []


def test_missing_narrow_privileges_are_granted_together():
    current = dict(CONVERGED, privileges={"CONNECT"})
    assert plan(dict(AIRFLOW, privileges=["connect", "create", "drop"]), current) == [
        ('GRANT CREATE, DROP ON DATABASE "airflow" TO "airflow"', None)
    ]


def test_absent_drops_an_existing_user_and_ignores_a_missing_one():
    assert plan({"name": "old", "state": "absent"}, {"exists": True}) == [('DROP USER "old"', None)]
    assert plan({"name": "old", "state": "absent"}, NOTHING) == []


def test_identifiers_are_quoted_so_odd_names_cannot_inject_sql():
    assert quote_ident('a"; DROP DATABASE x; --') == '"a""; DROP DATABASE x; --"'
    with pytest.raises(PlanError):
        quote_ident("")


@pytest.mark.parametrize(
    ("wanted", "message"),
    [
        (dict(AIRFLOW, options=["SUPERPOWER"]), "unknown role option"),
        (dict(AIRFLOW, privileges=["SELECT"]), "unknown database privilege"),
        (dict(AIRFLOW, create_database=False), "create_database=true"),
        ({"name": "a", "privileges": ["ALL"]}, "need 'database'"),
        (dict(AIRFLOW, settings={"bad name; x": "1"}), "invalid session variable"),
    ],
)
def test_bad_input_fails_with_what_to_fix(wanted, message):
    with pytest.raises(PlanError, match=message):
        plan(wanted, NOTHING)


def test_current_options_combine_pg_roles_and_role_options_table():
    have = options_from_rows((True, False, True), [("CONTROLJOB",), ("NOVIEWACTIVITY",)])
    assert have == {
        "LOGIN": True,
        "CREATEDB": False,
        "CREATEROLE": True,
        "CONTROLJOB": True,
        "VIEWACTIVITY": False,
    }


def test_role_settings_rows_are_split_on_the_first_equals_sign():
    assert settings_from_rows([("serial_normalization=sql_sequence",), ("search_path=a=b",)]) == {
        "serial_normalization": "sql_sequence",
        "search_path": "a=b",
    }
