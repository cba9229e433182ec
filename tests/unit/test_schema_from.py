"""metastore_dump schema_from's pure checks, without a database: whether a source's tables and columns fit
the schema dump's (schema_problems), and which CockroachDB can be read with COPY ... TO STDOUT."""

from __future__ import annotations

from ansible_collections.airflow_ops.metastore.plugins.module_utils.cockroachdb_rules import copy_to_problem
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.dump.schema_from import (
    schema_problems,
)

SCHEMA_TABLES = [
    {"schema": "public", "name": "dag", "columns": [{"name": "dag_id", "type": "varchar(250)"}]},
    {
        "schema": "public",
        "name": "variable",
        "columns": [{"name": "id", "type": "integer"}, {"name": "key", "type": "varchar(250)"}],
    },
]


def test_the_same_tables_and_columns_in_another_order_fit():
    source = {("public", "variable"): ["key", "id"], ("public", "dag"): ["dag_id"]}
    assert schema_problems(SCHEMA_TABLES, source) == []


def test_every_table_and_column_on_one_side_only_is_named():
    source = {
        ("public", "dag"): ["dag_id", "added_by_a_provider"],
        ("public", "variable"): ["id"],
        ("public", "ab_user"): ["id"],
    }
    assert schema_problems(SCHEMA_TABLES, source) == [
        "table public.ab_user is on the source only",
        "public.dag has columns on the source only: added_by_a_provider",
        "public.variable has columns on the schema dump only: key",
    ]


def test_a_table_missing_on_the_source_is_named():
    assert schema_problems(SCHEMA_TABLES, {("public", "dag"): ["dag_id"]}) == [
        "table public.variable is in the schema dump only"
    ]


def test_copy_to_exists_from_cockroachdb_v23_1_and_always_on_postgresql():
    assert copy_to_problem("PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu") is None
    assert copy_to_problem("CockroachDB CCL v23.1.0 (x86_64-pc-linux-gnu, built 2023/05/15)") is None
    assert copy_to_problem("CockroachDB CCL v25.4.2 (x86_64-pc-linux-gnu, built 2026/01/10)") is None
    problem = copy_to_problem("CockroachDB CCL v22.2.19 (x86_64-pc-linux-gnu, built 2024/01/10)")
    assert problem and "v22.2.19" in problem and "v23.1.0" in problem and "upgrade the cluster" in problem
