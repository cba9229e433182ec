"""metastore_load against a real PostgreSQL: exactly-once after kill -9 and dropped connections,
refusal of a target holding other data, and `changed: false` once loaded and verified."""

from __future__ import annotations

import json
import shutil
import uuid

import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import manifest as mf

from tests.integration import metastore_helpers as h

pytestmark = pytest.mark.integration

BATCH_ROWS = 200


@pytest.fixture(scope="module")
def dump_dir(postgres_server, tmp_path_factory):
    """A dump of the Airflow-shaped source (1800 task_instance rows = 9 batches of 200)."""
    name = f"src_{uuid.uuid4().hex[:8]}"
    counts = h.make_source(postgres_server, name)
    path = tmp_path_factory.mktemp("load") / "dump"
    result = h.run_module("metastore_dump", h.conn_args(postgres_server, name, dump_dir=str(path)))
    assert result["_rc"] == 0, result
    yield path, counts, name
    h.drop_database(postgres_server, name)


def load_args(server, dbname, path, **extra):
    return h.conn_args(server, dbname, dump_dir=str(path), batch_rows=BATCH_ROWS, **extra)


def load(server, dbname, path, **extra):
    return h.run_module("metastore_load", load_args(server, dbname, path, **extra))


def count(server, dbname, table):
    return h.query(server.url_for(dbname), f"SELECT count(*) FROM public.{table}")[0][0]


NO_PROGRESS_SCHEMA = "SELECT count(*) FROM pg_namespace WHERE nspname = 'airflow_ops'"


def user_tables(server, dbname):
    query = "SELECT count(*) FROM pg_tables WHERE schemaname IN ('public', 'airflow_ops')"
    return h.query(server.url_for(dbname), query)[0][0]


def assert_verified_equal(server, dbname, source_db):
    result = h.run_module(
        "metastore_verify", h.conn_args(server, dbname, source_url=server.url_for(source_db))
    )
    assert result["_rc"] == 0, result.get("msg")
    assert result["differing_tables"] == []


def test_load_into_an_empty_database_verifies_and_a_second_run_is_unchanged(
    postgres_server, dump_dir, pg_database
):
    path, counts, source_db = dump_dir
    first = load(postgres_server, pg_database, path)
    assert first["_rc"] == 0, first.get("msg")
    assert first["changed"] is True and first["state"] == "empty"
    assert {t["name"]: t["row_count"] for t in first["tables"]} == counts
    assert {t["name"]: t["batches"] for t in first["tables"]}["task_instance"] == 9
    assert any(s.startswith("CREATE TABLE public.dag_run") for s in first["statements"])
    assert not any(s.lstrip().startswith("\\") for s in first["statements"])
    assert all(t["status"] == "equal" for t in first["verification"]["tables"])
    second = load(postgres_server, pg_database, path)
    assert second["_rc"] == 0 and second["changed"] is False and second["state"] == "complete"
    assert second["statements"] == [] and second["batches"] == 0
    assert_verified_equal(postgres_server, pg_database, source_db)


def test_sequences_continue_after_the_dumped_ids(postgres_server, dump_dir, pg_database):
    path, counts, _unused = dump_dir
    result = load(postgres_server, pg_database, path)
    assert result["_rc"] == 0
    # The audit shows each setval exactly as sent, with the quoted sequence name.
    assert (
        f'SELECT pg_catalog.setval(\'"public"."log_id_seq"\', {counts["log"]}, true)' in result["statements"]
    )
    url = postgres_server.url_for(pg_database)
    (new_id,) = h.query(url, "INSERT INTO log (event) VALUES ('after') RETURNING id")[0]
    assert new_id == counts["log"] + 1
    fks = h.query(url, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")[0][0]
    assert fks == 2


def test_a_dump_without_checksums_loads_only_unverified_and_cannot_be_verified_against(
    postgres_server, dump_dir, pg_database, tmp_path
):
    _unused, counts, source_db = dump_dir
    path = tmp_path / "dump-nc"
    args = h.conn_args(postgres_server, source_db, dump_dir=str(path), checksums=False)
    assert h.run_module("metastore_dump", args)["_rc"] == 0
    refused = load(postgres_server, pg_database, path)
    assert refused["_rc"] != 0
    assert "dumped with checksums=false" in refused["msg"] or "taken with checksums=false" in refused["msg"]
    assert "verify=false" in refused["msg"] and "Nothing was changed" in refused["msg"]
    assert user_tables(postgres_server, pg_database) == 0
    result = load(postgres_server, pg_database, path, verify=False)
    assert result["_rc"] == 0, result.get("msg")
    assert result["verification"] is None
    assert count(postgres_server, pg_database, "task_instance") == counts["task_instance"]
    verify = h.run_module("metastore_verify", h.conn_args(postgres_server, pg_database, dump_dir=str(path)))
    assert verify["_rc"] != 0 and "checksums=false" in verify["msg"]
    assert_verified_equal(postgres_server, pg_database, source_db)  # against the live source it can


def test_check_mode_plans_the_load_and_writes_nothing(postgres_server, dump_dir, pg_database):
    path, _unused, _unused = dump_dir
    result = h.run_module("metastore_load", load_args(postgres_server, pg_database, path), check_mode=True)
    assert result["_rc"] == 0 and result["changed"] is True
    assert result["plan"][0] == "pre-data" and "data:public.task_instance" in result["plan"]
    assert user_tables(postgres_server, pg_database) == 0
    assert h.query(postgres_server.url_for(pg_database), NO_PROGRESS_SCHEMA) == [(0,)]


def test_target_with_other_data_is_refused_and_left_unchanged(postgres_server, dump_dir, pg_database):
    path, _unused, _unused = dump_dir
    url = postgres_server.url_for(pg_database)
    h.query(url, "CREATE TABLE precious (a int); INSERT INTO precious VALUES (42)")
    result = load(postgres_server, pg_database, path)
    assert result["_rc"] != 0
    assert "public.precious (base table)" in result["msg"]
    assert "if_exists=replace" in result["msg"]
    assert h.query(url, "SELECT a FROM precious") == [(42,)]
    assert h.query(url, "SELECT count(*) FROM pg_namespace WHERE nspname = 'airflow_ops'") == [(0,)]


def test_if_exists_replace_drops_other_data_and_loads(postgres_server, dump_dir, pg_database):
    path, _unused, source_db = dump_dir
    url = postgres_server.url_for(pg_database)
    h.query(url, "CREATE TABLE precious (a int); CREATE SEQUENCE s; CREATE VIEW v AS SELECT * FROM precious")
    result = load(postgres_server, pg_database, path, if_exists="replace")
    assert result["_rc"] == 0, result.get("msg")
    assert any("DROP TABLE" in s and "precious" in s for s in result["statements"])
    assert h.query(url, "SELECT to_regclass('public.precious')") == [(None,)]
    assert_verified_equal(postgres_server, pg_database, source_db)
    assert load(postgres_server, pg_database, path, if_exists="replace")["changed"] is False


def test_if_exists_replace_keeps_schemas_the_dump_does_not_write(postgres_server, dump_dir, pg_database):
    """An unrelated keepme.important table was dropped with the dump's own schema's objects."""
    path, _unused, source_db = dump_dir
    url = postgres_server.url_for(pg_database)
    h.query(
        url,
        "CREATE SCHEMA keepme; CREATE TABLE keepme.important (a int);"
        " INSERT INTO keepme.important VALUES (7); CREATE SEQUENCE keepme.counter;"
        " CREATE TABLE public.precious (a int)",
    )
    refused = load(postgres_server, pg_database, path)
    result = load(postgres_server, pg_database, path, if_exists="replace")
    assert result["_rc"] == 0, result.get("msg")
    assert h.query(url, "SELECT to_regclass('keepme.important') IS NOT NULL") == [(True,)]
    assert h.query(url, "SELECT a FROM keepme.important") == [(7,)]
    assert h.query(url, "SELECT to_regclass('keepme.counter') IS NOT NULL") == [(True,)]
    assert h.query(url, "SELECT to_regclass('public.precious')") == [(None,)]
    assert not any("keepme" in s for s in result["statements"])
    assert_verified_equal(postgres_server, pg_database, source_db)
    # The refusal says what replace drops and what it keeps (it used to offer to drop everything).
    assert refused["_rc"] != 0
    assert "if_exists=replace to drop public.precious (base table); it keeps keepme.counter" in refused["msg"]


def test_if_exists_replace_stops_before_dropping_what_another_schema_depends_on(
    postgres_server, dump_dir, pg_database
):
    path, _unused, _unused = dump_dir
    url = postgres_server.url_for(pg_database)
    h.query(
        url,
        "CREATE TABLE public.dag (dag_id text PRIMARY KEY); INSERT INTO public.dag VALUES ('mine');"
        " CREATE SCHEMA keepme; CREATE VIEW keepme.dags AS SELECT dag_id FROM public.dag",
    )
    result = load(postgres_server, pg_database, path, if_exists="replace")
    assert result["_rc"] != 0
    assert "nothing was dropped" in result["msg"] and "keepme.dags" in result["msg"]
    assert h.query(url, "SELECT dag_id FROM keepme.dags") == [("mine",)]
    assert h.query(url, NO_PROGRESS_SCHEMA) == [(0,)]


def test_kill_9_in_the_middle_of_a_table_resumes_without_duplicates(
    postgres_server, dump_dir, pg_database, tmp_path
):
    path, counts, source_db = dump_dir
    pause = tmp_path / "paused"
    h.kill_module_at(
        "metastore_load", load_args(postgres_server, pg_database, path), "data:public.task_instance:3", pause
    )
    assert count(postgres_server, pg_database, "task_instance") == 3 * BATCH_ROWS
    progress = h.query(
        postgres_server.url_for(pg_database),
        "SELECT position, batches FROM airflow_ops.load_progress WHERE step = 'data:public.task_instance'",
    )
    assert progress == [(3 * BATCH_ROWS, 3)]
    resumed = load(postgres_server, pg_database, path)
    assert resumed["_rc"] == 0, resumed.get("msg")
    assert resumed["state"] == "resume"
    assert resumed["resumed_from"]["data:public.task_instance"]["rows"] == 3 * BATCH_ROWS
    rerun = {t["name"]: t for t in resumed["tables"]}["task_instance"]
    assert rerun["rows_loaded_this_run"] == counts["task_instance"] - 3 * BATCH_ROWS
    assert count(postgres_server, pg_database, "task_instance") == counts["task_instance"]
    assert_verified_equal(postgres_server, pg_database, source_db)


def test_kill_9_in_the_middle_of_post_data_resumes_and_completes(
    postgres_server, dump_dir, pg_database, tmp_path
):
    path, _unused, source_db = dump_dir
    pause = tmp_path / "paused"
    h.kill_module_at("metastore_load", load_args(postgres_server, pg_database, path), "post-data:16", pause)
    url = postgres_server.url_for(pg_database)
    assert h.query(url, "SELECT position FROM airflow_ops.load_progress WHERE step = 'post-data'") == [(16,)]
    resumed = load(postgres_server, pg_database, path)
    assert resumed["_rc"] == 0, resumed.get("msg")
    assert resumed["resumed_from"]["post-data"] == 16
    assert resumed["batches"] == 0  # every table was already loaded: no row sent twice
    assert h.query(url, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'") == [(2,)]
    assert h.query(url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_dag_run_lower_run_id'") == [
        (1,)
    ]
    assert_verified_equal(postgres_server, pg_database, source_db)


def test_dropped_connection_fails_clearly_and_the_rerun_resumes(
    postgres_server, dump_dir, pg_database, tmp_path
):
    path, counts, source_db = dump_dir
    pause = tmp_path / "paused"
    proc = h.start_module(
        "metastore_load",
        load_args(postgres_server, pg_database, path),
        pause_at="data:public.task_instance:5",
        pause_file=pause,
    )
    h.wait_for(pause, proc)
    h.query(
        postgres_server.url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
        (pg_database,),
    )
    pause.unlink()  # let the module continue on its dead connection
    failed = h.finish_module(proc)
    assert failed["_rc"] != 0
    # It used to say only "connection already closed" (the failed rollback hid the real error).
    target = f"{postgres_server.superuser}@{postgres_server.host}:{postgres_server.port}/{pg_database}"
    assert f"the connection to {target} was lost" in failed["msg"]
    assert "server closed the connection unexpectedly" in failed["msg"]
    assert "run again to resume" in failed["msg"]
    assert postgres_server.password not in json.dumps(failed)
    resumed = load(postgres_server, pg_database, path)
    assert resumed["_rc"] == 0, resumed.get("msg")
    assert resumed["resumed_from"]["data:public.task_instance"]["rows"] == 5 * BATCH_ROWS
    assert count(postgres_server, pg_database, "task_instance") == counts["task_instance"]
    assert_verified_equal(postgres_server, pg_database, source_db)


def test_data_file_cut_mid_row_during_the_load_says_dump_again_not_run_again(
    postgres_server, dump_dir, pg_database, tmp_path
):
    """The sha256 passed at the start; the file is cut in the middle of a row while the load runs."""
    path, _unused, _unused = dump_dir
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    pause = tmp_path / "paused"
    proc = h.start_module(
        "metastore_load",
        load_args(postgres_server, pg_database, copy),
        pause_at="data:public.task_instance:3",
        pause_file=pause,
    )
    h.wait_for(pause, proc)
    data = copy / "data" / "public.task_instance.copy"
    content = data.read_bytes()
    cut = content.rindex(b"\n", 0, len(content) * 3 // 4) + 5  # a few bytes into a row
    data.write_bytes(content[:cut])
    pause.unlink()
    failed = h.finish_module(proc)
    assert failed["_rc"] != 0
    assert f"public.task_instance.copy ends in the middle of a row at byte {cut}" in failed["msg"]
    assert "Running the load again cannot fix it: dump again" in failed["msg"]
    assert "the load resumes" not in failed["msg"]


def test_missing_data_file_fails_before_touching_the_target(postgres_server, dump_dir, pg_database, tmp_path):
    path, _unused, _unused = dump_dir
    broken = tmp_path / "broken"
    shutil.copytree(path, broken)
    (broken / "data" / "public.dag_run.copy").unlink()
    result = load(postgres_server, pg_database, broken)
    assert result["_rc"] != 0
    assert "public.dag_run.copy is missing" in result["msg"] and "Nothing was changed" in result["msg"]
    assert user_tables(postgres_server, pg_database) == 0


def test_corrupted_manifest_fails_before_touching_the_target(
    postgres_server, dump_dir, pg_database, tmp_path
):
    path, _unused, _unused = dump_dir
    broken = tmp_path / "broken"
    shutil.copytree(path, broken)
    manifest = json.loads((broken / "manifest.json").read_text())
    manifest["tables"][0]["checksum"] = "not-a-checksum"
    (broken / "manifest.json").write_text(json.dumps(mf.seal(manifest)))  # as a faulty dumper would write it
    result = load(postgres_server, pg_database, broken)
    assert result["_rc"] != 0
    assert "not a v1 checksum" in result["msg"]
    assert user_tables(postgres_server, pg_database) == 0


def test_manifest_with_an_edited_row_count_is_refused_before_anything_is_written(
    postgres_server, dump_dir, pg_database, tmp_path
):
    """Without a digest of its own, the load wrote the schema and every task_instance row first."""
    path, _unused, _unused = dump_dir
    broken = tmp_path / "broken"
    shutil.copytree(path, broken)
    manifest = json.loads((broken / "manifest.json").read_text())
    table = next(t for t in manifest["tables"] if t["name"] == "task_instance")
    table["row_count"] += 1
    (broken / "manifest.json").write_text(json.dumps(manifest, indent=2))
    result = load(postgres_server, pg_database, broken, verify=False)
    assert result["_rc"] != 0
    assert "changed after metastore_dump wrote it" in result["msg"] and "dump again" in result["msg"]
    assert "Nothing was changed on the target" in result["msg"]
    assert user_tables(postgres_server, pg_database) == 0
    assert h.query(postgres_server.url_for(pg_database), NO_PROGRESS_SCHEMA) == [(0,)]


def test_truncated_data_file_is_caught_by_its_sha256(postgres_server, dump_dir, pg_database, tmp_path):
    path, _unused, _unused = dump_dir
    broken = tmp_path / "broken"
    shutil.copytree(path, broken)
    data = broken / "data" / "public.task_instance.copy"
    data.write_bytes(data.read_bytes()[:-100])
    result = load(postgres_server, pg_database, broken)
    assert result["_rc"] != 0 and "does not match its sha256" in result["msg"]


def test_wrong_password_fails_clearly_without_echoing_it(postgres_server, dump_dir, pg_database):
    path, _unused, _unused = dump_dir
    result = load(postgres_server, pg_database, path, login_password="wrong-pw-77")
    assert result["_rc"] != 0 and "login_password" in result["msg"]
    assert "wrong-pw-77" not in json.dumps(result)


def test_load_of_a_schema_rewritten_for_postgresql_with_another_owner(
    postgres_server, dump_dir, pg_database, tmp_path
):
    """The migration playbook's PostgreSQL path: metastore_rewrite target=postgresql, then load its output."""
    path, _unused, source_db = dump_dir
    h.query(
        postgres_server.url,
        "DO $$BEGIN CREATE ROLE airflow_owner; EXCEPTION WHEN duplicate_object THEN NULL; END$$",
    )
    rewritten = tmp_path / "pg"
    rewrite = h.run_module(
        "metastore_rewrite",
        {
            "src": str(path / "schema"),
            "dest": str(rewritten),
            "target": "postgresql",
            "owner": "airflow_owner",
        },
    )
    assert rewrite["_rc"] == 0, rewrite.get("msg")
    result = load(postgres_server, pg_database, path, schema_dir=str(rewritten))
    assert result["_rc"] == 0, result.get("msg")
    owners = h.query(
        postgres_server.url_for(pg_database),
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'",
    )
    assert owners == [("airflow_owner",)]
    assert_verified_equal(postgres_server, pg_database, source_db)


@pytest.mark.cockroachdb
def test_load_and_verify_on_cockroachdb(cockroachdb_url, dump_dir, tmp_path):
    """Load the rewritten dump into a real CockroachDB cluster, resume-safe, and verify it."""
    import psycopg2

    path, _unused, _unused = dump_dir
    database = f"airflow_ops_test_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(cockroachdb_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {database}")
    try:
        url = psycopg2.extensions.make_dsn(cockroachdb_url, dbname=database)
        rewritten = tmp_path / "crdb"
        rewrite = h.run_module(
            "metastore_rewrite",
            {"src": str(path / "schema"), "dest": str(rewritten), "target": "cockroachdb"},
        )
        assert rewrite["_rc"] == 0, rewrite.get("msg")
        args = {"url": url, "dump_dir": str(path), "schema_dir": str(rewritten), "batch_rows": BATCH_ROWS}
        first = h.run_module("metastore_load", args)
        assert first["_rc"] == 0, first.get("msg")
        second = h.run_module("metastore_load", args)
        assert second["_rc"] == 0 and second["changed"] is False
        verify = h.run_module("metastore_verify", {"url": url, "dump_dir": str(path)})
        assert verify["_rc"] == 0, verify.get("msg")
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {database} CASCADE")
        admin.close()


@pytest.mark.slow
def test_real_airflow_metadata_db_dump_load_verify(postgres_server, pg_database, tmp_path):
    """A real Airflow 3 metadata DB (`airflow db migrate`), filled by Airflow's own CLI with variables
    (unicode, large json), connections (json extra) and pools, goes through dump -> load -> verify."""
    import subprocess

    from tests.support import airflow_env

    source = f"af_{uuid.uuid4().hex[:8]}"
    h.create_database(postgres_server, source)
    try:
        url = postgres_server.url_for(source)
        airflow_env.migrate_airflow_db(url)
        variables = {
            f"var_{i}": {"k": i, "ü": "東京 🚀", "big": ["x" * 100] * (50 if i == 0 else 1)}
            for i in range(20)
        }
        (tmp_path / "vars.json").write_text(json.dumps(variables))
        connections = {
            f"conn_{i}": {
                "conn_type": "postgres",
                "host": f"db{i}",
                "extra": json.dumps({"sslmode": "require", "i": i}),
            }
            for i in range(5)
        }
        (tmp_path / "conns.json").write_text(json.dumps(connections))
        airflow = str(airflow_env.ensure_airflow())
        env = airflow_env.airflow_environment(url, tmp_path)
        for argv in (
            ["variables", "import", str(tmp_path / "vars.json")],
            ["connections", "import", str(tmp_path / "conns.json")],
        ):
            done = subprocess.run(
                [airflow, *argv], env=env, capture_output=True, text=True, timeout=300, check=False
            )
            assert done.returncode == 0, done.stderr[-2000:]
        assert h.query(url, "SELECT count(*) FROM variable") == [(20,)]
        dump_dir = tmp_path / "dump"
        dumped = h.run_module("metastore_dump", h.conn_args(postgres_server, source, dump_dir=str(dump_dir)))
        assert dumped["_rc"] == 0, dumped.get("msg")
        assert dumped["alembic_revision"]
        assert len(dumped["tables"]) >= 50
        loaded = load(postgres_server, pg_database, dump_dir)
        assert loaded["_rc"] == 0, loaded.get("msg")
        assert {t["name"]: t["row_count"] for t in loaded["tables"]}["variable"] == 20
        assert load(postgres_server, pg_database, dump_dir)["changed"] is False
        assert_verified_equal(postgres_server, pg_database, source)
        check = subprocess.run(
            [airflow, "db", "check-migrations", "-t", "10"],
            capture_output=True,
            text=True,
            env=airflow_env.airflow_environment(postgres_server.url_for(pg_database), tmp_path),
            timeout=300,
            check=False,
        )
        assert check.returncode == 0, check.stderr[-2000:]
    finally:
        h.drop_database(postgres_server, source)


def test_kill_between_ddl_and_its_progress_row_without_ddl_transactions(
    postgres_server, dump_dir, pg_database, tmp_path
):
    """ddl_in_transaction=false (CockroachDB's default): a statement that ran but was not recorded is
    run again on resume, and its "already exists" is accepted for that one statement only."""
    path, _unused, source_db = dump_dir
    pause = tmp_path / "paused"
    h.kill_module_at(
        "metastore_load",
        load_args(postgres_server, pg_database, path, ddl_in_transaction=False),
        "post-data-unrecorded:13",
        pause,
    )
    url = postgres_server.url_for(pg_database)
    assert h.query(url, "SELECT position FROM airflow_ops.load_progress WHERE step = 'post-data'") == [(12,)]
    # statement 13 (dag's primary key) ran but its progress row did not commit: re-running it fails alone
    assert h.query(url, "SELECT count(*) FROM pg_constraint WHERE conname = 'dag_pkey'") == [(1,)]
    resumed = load(postgres_server, pg_database, path, ddl_in_transaction=False)
    assert resumed["_rc"] == 0, resumed.get("msg")
    assert resumed["resumed_from"]["post-data"] == 12
    assert_verified_equal(postgres_server, pg_database, source_db)


def test_rerun_after_the_loaded_target_was_changed_fails_with_the_differing_table(
    postgres_server, dump_dir, pg_database
):
    path, _unused, _unused = dump_dir
    assert load(postgres_server, pg_database, path)["_rc"] == 0
    h.query(postgres_server.url_for(pg_database), "DELETE FROM task_instance WHERE id = 7")
    again = load(postgres_server, pg_database, path)
    assert again["_rc"] != 0
    assert "public.task_instance (differs" in again["msg"]
    assert "drop and recreate the target database" in again["msg"]


def test_a_loaded_target_can_be_dumped_and_migrated_again_without_its_progress(
    postgres_server, dump_dir, pg_database, tmp_path
):
    """PostgreSQL -> PostgreSQL, then that copy -> elsewhere: the progress schema stays behind."""
    path, _unused, source_db = dump_dir
    assert load(postgres_server, pg_database, path)["_rc"] == 0
    second_dump = tmp_path / "second"
    dumped = h.run_module(
        "metastore_dump", h.conn_args(postgres_server, pg_database, dump_dir=str(second_dump))
    )
    assert dumped["_rc"] == 0, dumped.get("msg")
    assert {t["schema"] for t in dumped["tables"]} == {"public"}
    assert "airflow_ops" not in (second_dump / "schema" / "pre-data.sql").read_text()
    third = f"third_{uuid.uuid4().hex[:8]}"
    h.create_database(postgres_server, third)
    try:
        assert load(postgres_server, third, second_dump)["_rc"] == 0
        assert_verified_equal(postgres_server, third, source_db)
    finally:
        h.drop_database(postgres_server, third)


def test_a_finished_load_is_marked_finished_and_never_looks_like_an_earlier_attempt(
    postgres_server, dump_dir, pg_database, tmp_path
):
    """Every finished load left the same progress rows an interrupted one leaves."""
    path, _unused, _unused = dump_dir
    url = postgres_server.url_for(pg_database)
    first = load(postgres_server, pg_database, path, verify=False)
    assert first["_rc"] == 0, first.get("msg")
    utc = "(updated_at AT TIME ZONE 'UTC')::text"
    finished = h.query(url, f"SELECT {utc} FROM airflow_ops.load_progress WHERE step = 'finished'")
    assert finished == [(first["finished_at"],)]
    assert first["target_identity"]["method"] == "pg_control_system().system_identifier"
    # Another dump (the source changed since): the target is a finished load, not an unfinished attempt.
    other = tmp_path / "other"
    shutil.copytree(path, other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["sequences"][0]["value"] += 1
    (other / "manifest.json").write_text(json.dumps(mf.seal(manifest)))
    refused = load(postgres_server, pg_database, other)
    assert refused["_rc"] != 0
    assert (
        f"a finished load of another dump (finished at {first['finished_at']}; it may be in use)"
        in (refused["msg"])
    )
    assert "unfinished" not in refused["msg"]


def test_the_dumps_own_source_is_refused_as_target_under_another_host_name(postgres_server, dump_dir):
    """Host strings differ (localhost vs 127.0.0.1); the server's identity and the database do not."""
    path, _unused, source_db = dump_dir
    assert postgres_server.host == "127.0.0.1"
    result = load(postgres_server, source_db, path, login_host="localhost", if_exists="replace")
    assert result["_rc"] != 0
    assert "the target is the database this dump was taken from" in result["msg"]
    assert "Nothing was changed" in result["msg"]
    assert result["statements"] == []
    assert h.query(postgres_server.url_for(source_db), NO_PROGRESS_SCHEMA) == [(0,)]


def test_finished_at_reads_the_same_in_every_session_time_zone(postgres_server, dump_dir, pg_database):
    """The migration's rollback record compares the load's finished_at with what metastore_info reads."""
    path, _unused, _unused = dump_dir
    loaded = h.run_module(
        "metastore_load",
        load_args(postgres_server, pg_database, path, verify=False),
        env={"PGTZ": "Asia/Kolkata"},
    )
    assert loaded["_rc"] == 0, loaded.get("msg")
    info = h.run_module("metastore_info", h.conn_args(postgres_server, pg_database), env={"PGTZ": "UTC"})
    assert info["load"]["state"] == "finished"
    assert info["load"]["finished_at"] == loaded["finished_at"]
