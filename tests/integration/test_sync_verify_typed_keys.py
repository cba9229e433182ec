"""typed_keys turns the key texts the sync recorded (pgoutput's text forms) into the values the server
returns for those columns, in the order given, for the key types of Airflow's tables (text, varchar,
integer, timestamptz, uuid) and for more keys than one query takes.

Proves it on a real PostgreSQL: the typed keys find exactly the rows they name (compared with the rows
selected by those columns), texts with quotes, backslashes and commas survive, the order is kept.
Does not prove it on CockroachDB here (no cluster runs on this machine); with AIRFLOW_OPS_TEST_CRDB_URL
the metastore_sync integration tests run the same query there.
"""

from __future__ import annotations

import psycopg2
import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.sync import sync_verify

pytestmark = pytest.mark.integration

TABLE = {
    "schema": "public",
    "name": "ti",
    "columns": [
        {"name": "dag_id", "type": "character varying(250)"},
        {"name": "run_id", "type": "text"},
        {"name": "map_index", "type": "integer"},
        {"name": "at", "type": "timestamp with time zone"},
        {"name": "id", "type": "uuid"},
    ],
    "primary_key": ["dag_id", "run_id", "map_index", "at", "id"],
}


@pytest.fixture
def cur(postgres_server, pg_database):
    conn = psycopg2.connect(postgres_server.url_for(pg_database))
    with conn.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE ti (dag_id varchar(250), run_id text, map_index integer, at timestamptz, id uuid,"
            " PRIMARY KEY (dag_id, run_id, map_index, at, id))"
        )
        cursor.execute(
            "INSERT INTO ti SELECT 'dag ''q'' \\ ,' || (g % 7),"
            " 'manual__2026-12-0' || (g % 3) || 'T00:00:00+00:00',"
            " g - 1, timestamptz '2026-12-03 05:00:00.123456+00' + g * interval '1 second', gen_random_uuid()"
            " FROM generate_series(1, 10500) g"
        )
        yield cursor
    conn.close()


def test_typed_keys_name_the_rows_their_texts_name_in_the_given_order(cur):
    cur.execute(
        "SELECT dag_id::text, run_id::text, map_index::text, at::text, id::text FROM ti ORDER BY id DESC"
    )
    texts = [tuple(row) for row in cur.fetchall()]
    cur.execute("SELECT dag_id, run_id, map_index, at, id FROM ti ORDER BY id DESC")
    expected = [tuple(row) for row in cur.fetchall()]
    assert len(texts) > sync_verify._KEYS_PER_CAST, "more keys than one query takes"
    typed = sync_verify.typed_keys(cur, TABLE, texts)
    assert typed == expected
    assert isinstance(typed[0][2], int) and typed[0][3].tzinfo is not None


def test_typed_keys_of_no_keys_is_empty(cur):
    assert sync_verify.typed_keys(cur, TABLE, []) == []
