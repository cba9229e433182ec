"""bench/generate.py against a real Airflow 3.3.2 metadata DB made by `airflow db migrate`."""

from __future__ import annotations

import uuid

import psycopg2
import pytest

from bench import generate
from tests.support.airflow_env import migrate_airflow_db

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def airflow_template(postgres_server):
    """One `airflow db migrate` per module; each test copies it (CREATE DATABASE ... TEMPLATE)."""
    name = "bench_generator_template"
    admin(postgres_server, f'CREATE DATABASE "{name}"')
    migrate_airflow_db(postgres_server.url_for(name))
    yield name
    admin(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated_db(postgres_server, airflow_template):
    name = f"gen_{uuid.uuid4().hex[:10]}"
    admin(postgres_server, f'CREATE DATABASE "{name}" TEMPLATE "{airflow_template}"')
    yield postgres_server.url_for(name)
    admin(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def admin(server, statement):
    conn = psycopg2.connect(server.url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def count(cur, query):
    cur.execute(query)
    return cur.fetchone()[0]


def test_generator_fills_a_real_airflow_db_with_the_requested_shape(migrated_db):
    shape = generate.shape_for(600)
    conn = psycopg2.connect(migrated_db)
    try:
        counts = generate.generate(conn, shape, log=lambda _line: None)
        with conn.cursor() as cur:
            assert count(cur, "SELECT count(*) FROM task_instance") == 600
            assert count(cur, "SELECT count(*) FROM dag") == shape.dags
            assert count(cur, "SELECT count(*) FROM dag_run") == shape.dags * shape.runs_per_dag
            for table, rows in counts.items():
                assert count(cur, f"SELECT count(*) FROM {table}") == rows, table
            # The shape the benchmark relies on: XComs with json payloads, retries, rendered fields, logs.
            assert count(cur, "SELECT count(*) FROM xcom WHERE value ? 'path'") == counts["xcom"] > 0
            assert counts["task_instance_history"] > 0
            assert counts["rendered_task_instance_fields"] > 0
            assert counts["log"] >= counts["dag_run"]
            # Sequences follow the explicit ids, so Airflow's next insert does not collide.
            assert count(cur, "SELECT nextval('dag_run_id_seq')") == counts["dag_run"] + 1
            # Every foreign key is enforced during COPY; check one explicitly all the same.
            assert (
                count(
                    cur,
                    "SELECT count(*) FROM task_instance ti LEFT JOIN dag_run dr"
                    " ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id WHERE dr.id IS NULL",
                )
                == 0
            )
    finally:
        conn.close()


def test_generator_refuses_a_database_that_already_holds_dags_and_changes_nothing(migrated_db):
    conn = psycopg2.connect(migrated_db)
    try:
        generate.generate(conn, generate.shape_for(100), log=lambda _line: None)
        with pytest.raises(generate.GeneratorError, match="already holds DAGs"):
            generate.generate(conn, generate.shape_for(100), log=lambda _line: None)
        with conn.cursor() as cur:
            assert count(cur, "SELECT count(*) FROM task_instance") == 100
    finally:
        conn.close()


def test_generator_refuses_a_database_without_the_airflow_schema(postgres_server, pg_database):
    conn = psycopg2.connect(postgres_server.url_for(pg_database))
    try:
        with pytest.raises(generate.GeneratorError, match="airflow db migrate"):
            generate.generate(conn, generate.shape_for(100), log=lambda _line: None)
    finally:
        conn.close()
