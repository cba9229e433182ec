"""metastore_verify against a real PostgreSQL: equal content compares equal however the server prints
it (json layout, time zone, bytea format); any real difference is reported table by table."""

from __future__ import annotations

import uuid

import pytest

from tests.integration import metastore_helpers as h

pytestmark = pytest.mark.integration


def verify_manifest(server, dbname, path, **extra):
    return h.run_module("metastore_verify", h.conn_args(server, dbname, dump_dir=str(path), **extra))


def verify_source(server, dbname, source):
    return h.run_module("metastore_verify", h.conn_args(server, dbname, source_url=server.url_for(source)))


def test_loaded_target_equals_manifest_and_live_source_and_reports_no_change(postgres_server, loaded, target):
    source, path = loaded
    for result in (
        verify_manifest(postgres_server, target, path),
        verify_source(postgres_server, target, source),
    ):
        assert result["_rc"] == 0, result.get("msg")
        assert result["changed"] is False
        assert result["differing_tables"] == [] and result["sequences_behind"] == []
        assert {t["name"] for t in result["tables"]} >= {"dag", "dag_run", "task_instance"}


def test_json_rewritten_with_other_key_order_and_spacing_still_compares_equal(
    postgres_server, loaded, target
):
    """What CockroachDB's JSONB does to a json column must not count as a difference."""
    _unused, path = loaded
    url = postgres_server.url_for(target)
    multi_line = "SELECT count(*) FROM dag_run WHERE strpos(conf::text, chr(10)) > 0"
    assert h.query(url, multi_line)[0][0] > 0  # the source wrote indented json
    h.query(url, "UPDATE dag_run SET conf = (conf::jsonb)::text::json WHERE conf IS NOT NULL")
    assert h.query(url, multi_line) == [(0,)]  # now laid out like JSONB: keys sorted, no newlines
    assert verify_manifest(postgres_server, target, path)["_rc"] == 0


def test_other_time_zone_and_bytea_output_of_the_target_still_compare_equal(postgres_server, loaded, target):
    _unused, path = loaded
    h.query(postgres_server.url, f"ALTER DATABASE \"{target}\" SET timezone = 'Asia/Kolkata'")
    h.query(postgres_server.url, f"ALTER DATABASE \"{target}\" SET bytea_output = 'escape'")
    result = verify_manifest(postgres_server, target, path)
    assert result["_rc"] == 0, result.get("msg")


def test_a_changed_value_is_reported_with_its_table(postgres_server, loaded, target):
    _unused, path = loaded
    h.query(postgres_server.url_for(target), "UPDATE task_instance SET note = 'tampered' WHERE id = 3")
    result = verify_manifest(postgres_server, target, path)
    assert result["_rc"] != 0
    assert result["differing_tables"] == ["public.task_instance"]
    assert "public.task_instance (differs" in result["msg"]


def test_a_changed_json_value_is_reported(postgres_server, loaded, target):
    _unused, path = loaded
    h.query(postgres_server.url_for(target), """UPDATE dag SET tags = '{"z": 999}' WHERE tags IS NOT NULL""")
    assert verify_manifest(postgres_server, target, path)["differing_tables"] == ["public.dag"]


def test_a_deleted_row_and_a_missing_table_are_reported(postgres_server, loaded, target):
    _unused, path = loaded
    url = postgres_server.url_for(target)
    h.query(url, "DELETE FROM log WHERE id = 1")
    h.query(url, "DROP TABLE alembic_version")
    result = verify_manifest(postgres_server, target, path)
    assert result["_rc"] != 0
    assert sorted(result["differing_tables"]) == ["public.alembic_version", "public.log"]
    statuses = {t["name"]: t["status"] for t in result["tables"]}
    assert statuses["alembic_version"] == "missing" and statuses["log"] == "differs"


def test_a_sequence_behind_the_dump_is_reported(postgres_server, loaded, target):
    _unused, path = loaded
    h.query(postgres_server.url_for(target), "SELECT setval('public.task_instance_id_seq', 1)")
    result = verify_manifest(postgres_server, target, path)
    assert result["_rc"] != 0
    assert [s["name"] for s in result["sequences_behind"]] == ["task_instance_id_seq"]


def test_extra_objects_are_listed_and_fail_only_when_asked(postgres_server, loaded, target):
    _unused, path = loaded
    h.query(postgres_server.url_for(target), "CREATE TABLE stray (a int)")
    relaxed = verify_manifest(postgres_server, target, path)
    assert relaxed["_rc"] == 0 and relaxed["extra_objects"] == ["public.stray"]
    strict = verify_manifest(postgres_server, target, path, fail_on_extra_objects=True)
    assert strict["_rc"] != 0 and "public.stray" in strict["msg"]


def test_dump_dir_or_source_url_is_required(postgres_server, target):
    result = h.run_module("metastore_verify", h.conn_args(postgres_server, target))
    assert result["_rc"] != 0 and "dump_dir" in result["msg"] and "source_url" in result["msg"]


@pytest.mark.cockroachdb
def test_verify_cockroachdb_against_a_live_postgresql_source(cockroachdb_url, postgres_server, loaded):
    """A CockroachDB database loaded from this dump compares equal to the live PostgreSQL source."""
    import psycopg2

    source, path = loaded
    database = f"airflow_ops_verify_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(cockroachdb_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {database}")
    try:
        url = psycopg2.extensions.make_dsn(cockroachdb_url, dbname=database)
        rewritten = path.parent / f"crdb-{database}"
        assert (
            h.run_module("metastore_rewrite", {"src": str(path / "schema"), "dest": str(rewritten)})["_rc"]
            == 0
        )
        load = h.run_module(
            "metastore_load", {"url": url, "dump_dir": str(path), "schema_dir": str(rewritten)}
        )
        assert load["_rc"] == 0, load.get("msg")
        result = h.run_module("metastore_verify", {"url": url, "source_url": postgres_server.url_for(source)})
        assert result["_rc"] == 0, result.get("msg")
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {database} CASCADE")
        admin.close()


def test_an_edited_manifest_is_refused_instead_of_blaming_the_target(
    postgres_server, loaded, target, tmp_path
):
    """Without the manifest's own digest, an edited row count was reported as a target that differs."""
    import json
    import shutil

    _unused, path = loaded
    edited = tmp_path / "edited"
    shutil.copytree(path, edited)
    manifest = json.loads((edited / "manifest.json").read_text())
    manifest["tables"][0]["row_count"] += 1
    (edited / "manifest.json").write_text(json.dumps(manifest))
    result = verify_manifest(postgres_server, target, edited)
    assert result["_rc"] != 0
    assert "changed after metastore_dump wrote it" in result["msg"] and "dump again" in result["msg"]
    assert "differing_tables" not in result
