"""Pure helpers of the dump and the load: pg_dump versions, schema digests, session settings."""

from __future__ import annotations

import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump import dumper
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.load import loader
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.verify import verifier


def test_pg_dump_version_is_parsed():
    assert dumper.parse_pg_dump_version("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n") == (
        "15.20",
        15,
    )
    assert dumper.parse_pg_dump_version("pg_dump (PostgreSQL) 17.2") == ("17.2", 17)


def test_older_pg_dump_than_server_says_what_to_install():
    dumper.check_pg_dump_major(16, 15, "pg_dump")
    with pytest.raises(dumper.DumpError, match="install postgresql-client-16"):
        dumper.check_pg_dump_major(15, 16, "pg_dump")


def test_schema_digest_ignores_pg_dumps_random_restrict_key():
    one = "\\restrict abc123\nCREATE TABLE t (a int);\n\\unrestrict abc123\n"
    two = "\\restrict zzz999\nCREATE TABLE t (a int);\n\\unrestrict zzz999\n"
    assert dumper.normalized_schema_digest(one) == dumper.normalized_schema_digest(two)
    assert dumper.normalized_schema_digest(one) != dumper.normalized_schema_digest(
        one.replace("int", "bigint")
    )


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SET statement_timeout = 0", True),
        ("SELECT pg_catalog.set_config('search_path', '', false)", True),
        ("CREATE TABLE public.t (a integer)", False),
        ("ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (a)", False),
    ],
)
def test_session_settings_are_recognised_for_replay_on_resume(statement, expected):
    assert loader.is_session_setting(statement) is expected


def test_compare_tables_reports_missing_and_differing_tables():
    expected = [
        {"schema": "public", "name": "a", "row_count": 2, "checksum": "v1:1"},
        {"schema": "public", "name": "b", "row_count": 2, "checksum": "v1:2"},
        {"schema": "public", "name": "c", "row_count": 2, "checksum": "v1:3"},
    ]
    measured = {("public", "a"): (2, "v1:1"), ("public", "b"): (2, "v1:X"), ("public", "c"): (None, "gone")}
    statuses = [r["status"] for r in verifier.compare_tables(expected, measured)]
    assert statuses == ["equal", "differs", "missing"]


def test_sequences_behind_the_dump_are_reported():
    expected = [{"schema": "public", "name": "s", "value": 10, "is_called": True}]
    assert verifier.compare_sequences(expected, {("public", "s"): 10}) == []
    assert verifier.compare_sequences(expected, {("public", "s"): 11}) == []
    assert verifier.compare_sequences(expected, {("public", "s"): 3})[0]["actual"] == 3
