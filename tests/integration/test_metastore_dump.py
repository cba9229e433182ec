"""metastore_dump against a real PostgreSQL: one snapshot, a trustworthy manifest, honest `changed`."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import uuid

import psycopg2
import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import manifest as mf

from tests.integration import metastore_helpers as h

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def source(postgres_server):
    name = f"src_{uuid.uuid4().hex[:8]}"
    counts = h.make_source(postgres_server, name)
    yield name, counts
    h.drop_database(postgres_server, name)


def dump(server, dbname, dump_dir, **kwargs):
    return h.run_module("metastore_dump", h.conn_args(server, dbname, dump_dir=str(dump_dir)), **kwargs)


def mtimes(path):
    return {p: p.stat().st_mtime_ns for p in path.rglob("*") if p.is_file()}


def test_dump_writes_schema_data_and_a_manifest_that_matches_the_files(postgres_server, source, tmp_path):
    dbname, counts = source
    result = dump(postgres_server, dbname, tmp_path / "dump")
    assert result["_rc"] == 0, result
    assert result["changed"] is True
    manifest = mf.load(str(tmp_path / "dump"))  # validates every file's sha256
    assert manifest["alembic_revision"] == h.ALEMBIC_REVISION
    assert manifest["pg_dump_version"].startswith("15.")
    assert manifest["source"]["server_version"].startswith("15.")
    by_name = {t["name"]: t for t in manifest["tables"]}
    assert {name: t["row_count"] for name, t in by_name.items()} == counts
    for table in manifest["tables"]:
        lines = (tmp_path / "dump" / table["file"]).read_bytes().count(b"\n")
        assert lines == table["row_count"], table["name"]
    assert by_name["dag_run"]["primary_key"] == ["id"]
    assert {"name": "conf", "type": "json"} in by_name["dag_run"]["columns"]
    sequences = {s["name"]: s for s in manifest["sequences"]}
    assert sequences["dag_run_id_seq"]["value"] == counts["dag_run"]
    assert sequences["task_instance_id_seq"]["is_called"] is True
    pre = (tmp_path / "dump" / "schema" / "pre-data.sql").read_text()
    post = (tmp_path / "dump" / "schema" / "post-data.sql").read_text()
    assert "CREATE TABLE public.dag_run" in pre and "FOREIGN KEY" not in pre
    assert "ON DELETE CASCADE" in post and "PRIMARY KEY" in post
    assert "password" not in json.dumps(result).lower().replace("login_password", "")


def test_dump_without_checksums_counts_rows_from_the_copy_and_never_stands_in_for_a_checksummed_one(
    postgres_server, source, tmp_path
):
    dbname, counts = source
    without = h.conn_args(postgres_server, dbname, dump_dir=str(tmp_path / "dump"), checksums=False)
    result = h.run_module("metastore_dump", without)
    assert result["_rc"] == 0, result
    manifest = mf.load(str(tmp_path / "dump"))
    assert manifest["checksums"] is False
    assert {t["name"]: t["row_count"] for t in manifest["tables"]} == counts
    assert {t["checksum"] for t in manifest["tables"]} == {None}
    again = h.run_module("metastore_dump", without)
    assert again["changed"] is False and "same snapshot" in again["reason"]
    with_checksums = dump(postgres_server, dbname, tmp_path / "dump")
    assert with_checksums["changed"] is True
    assert all(t["checksum"].startswith("v1:") for t in mf.load(str(tmp_path / "dump"))["tables"])


def test_dump_files_are_readable_by_their_owner_only(postgres_server, source, tmp_path):
    """The data holds Airflow's connections and variables."""
    dbname, _unused = source
    assert dump(postgres_server, dbname, tmp_path / "dump")["_rc"] == 0
    assert (tmp_path / "dump").stat().st_mode & 0o777 == 0o700
    files = [p for p in (tmp_path / "dump").rglob("*") if p.is_file()]
    assert len(files) == 8
    assert {p.name: p.stat().st_mode & 0o777 for p in files} == {p.name: 0o600 for p in files}


def test_second_dump_of_an_unchanged_source_is_unchanged_and_rewrites_nothing(
    postgres_server, source, tmp_path
):
    dbname, _unused = source
    assert dump(postgres_server, dbname, tmp_path / "d")["changed"] is True
    before = mtimes(tmp_path / "d")
    again = dump(postgres_server, dbname, tmp_path / "d")
    assert again["_rc"] == 0 and again["changed"] is False, again
    assert mtimes(tmp_path / "d") == before


def test_writes_elsewhere_in_the_cluster_do_not_make_a_new_dump(
    postgres_server, source, tmp_path, pg_database
):
    dbname, _unused = source
    dump(postgres_server, dbname, tmp_path / "d")
    before = mtimes(tmp_path / "d")
    h.query(
        postgres_server.url_for(pg_database),
        "CREATE TABLE unrelated (a int); INSERT INTO unrelated VALUES (1)",
    )
    again = dump(postgres_server, dbname, tmp_path / "d")
    assert again["changed"] is False
    assert again["reason"] == "source content identical to the existing dump"
    assert mtimes(tmp_path / "d") == before


def test_a_changed_source_produces_a_new_dump_with_a_diff(postgres_server, tmp_path):
    dbname = f"chg_{uuid.uuid4().hex[:8]}"
    h.make_source(postgres_server, dbname, dags=2, runs_per_dag=2, tasks_per_run=1)
    try:
        dump(postgres_server, dbname, tmp_path / "d")
        h.query(postgres_server.url_for(dbname), "INSERT INTO log (event) VALUES ('new')")
        again = dump(postgres_server, dbname, tmp_path / "d", diff=True)
        assert again["changed"] is True
        assert "public.log: 3 rows" in again["diff"]["after"]
        assert "public.log: 2 rows" in again["diff"]["before"]
        assert {t["name"]: t["row_count"] for t in mf.load(str(tmp_path / "d"))["tables"]}["log"] == 3
    finally:
        h.drop_database(postgres_server, dbname)


def test_check_mode_reports_a_dump_without_writing_anything(postgres_server, source, tmp_path):
    dbname, _unused = source
    result = dump(postgres_server, dbname, tmp_path / "never", check_mode=True)
    assert result["_rc"] == 0 and result["changed"] is True
    assert not (tmp_path / "never").exists()


def test_dump_is_one_consistent_snapshot_while_the_source_is_being_written(
    postgres_server, tmp_path, pg_database
):
    """Counts, checksums and files must agree even with a writer committing throughout the dump."""
    dbname = f"busy_{uuid.uuid4().hex[:8]}"
    h.make_source(postgres_server, dbname, dags=4, runs_per_dag=20, tasks_per_run=20)
    stop = threading.Event()

    def writer():
        conn = psycopg2.connect(postgres_server.url_for(dbname))
        conn.autocommit = True
        with conn.cursor() as cur:
            while not stop.is_set():
                cur.execute(
                    "INSERT INTO task_instance (dag_run_id, task_id) SELECT min(id), 'late' FROM dag_run"
                )
                cur.execute("INSERT INTO log (event) VALUES ('late')")
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = dump(postgres_server, dbname, tmp_path / "d")
    finally:
        stop.set()
        thread.join()
    try:
        assert result["_rc"] == 0, result
        load = h.run_module(
            "metastore_load", h.conn_args(postgres_server, pg_database, dump_dir=str(tmp_path / "d"))
        )
        assert load["_rc"] == 0, load.get(
            "msg"
        )  # the load verifies counts and checksums against the manifest
        assert all(t["status"] == "equal" for t in load["verification"]["tables"])
    finally:
        h.drop_database(postgres_server, dbname)


def test_wrong_password_fails_clearly_without_echoing_it(postgres_server, source, tmp_path):
    dbname, _unused = source
    args = h.conn_args(postgres_server, dbname, dump_dir=str(tmp_path / "d"), login_password="not-the-pw-42")
    result = h.run_module("metastore_dump", args)
    assert result["_rc"] != 0
    assert "login_password" in result["msg"]
    assert "not-the-pw-42" not in json.dumps(result)
    assert not (tmp_path / "d").exists()


def test_unreachable_server_says_what_to_check(tmp_path):
    from tests.support.postgres_server import free_port

    args = {
        "login_host": "127.0.0.1",
        "login_port": free_port(),
        "login_user": "x",
        "login_db": "x",
        "dump_dir": str(tmp_path),
    }
    result = h.run_module("metastore_dump", args)
    assert result["_rc"] != 0
    assert "listens on that host and port" in result["msg"]


def test_missing_pg_dump_says_what_to_install(postgres_server, source, tmp_path):
    dbname, _unused = source
    args = h.conn_args(
        postgres_server, dbname, dump_dir=str(tmp_path / "d"), pg_dump_path="/nonexistent/pg_dump"
    )
    result = h.run_module("metastore_dump", args)
    assert result["_rc"] != 0
    assert "postgresql-client" in result["msg"]


def test_url_and_discrete_options_together_are_refused(postgres_server, tmp_path):
    args = {"url": postgres_server.url, "login_host": "db1", "dump_dir": str(tmp_path)}
    result = h.run_module("metastore_dump", args)
    assert result["_rc"] != 0
    assert "mutually exclusive" in result["msg"]


def test_dump_into_a_new_directory_on_another_file_system_than_tmp(postgres_server, source):
    """Regression: staging in /tmp and renaming into dump_dir failed across file systems (EXDEV)."""
    dbname, counts = source
    base = tempfile.mkdtemp(prefix="airflow-ops-dump-", dir="/dev/shm")  # tmpfs: not /tmp's file system
    try:
        result = dump(postgres_server, dbname, f"{base}/nested/dump")
        assert result["_rc"] == 0, result
        assert result["changed"] is True
        manifest = mf.load(f"{base}/nested/dump")
        assert {t["name"]: t["row_count"] for t in manifest["tables"]} == counts
    finally:
        shutil.rmtree(base, ignore_errors=True)


def mount_tiny_tmpfs(mount_point, size):
    """A tmpfs of ``size`` mounted for one test: a real full disk (ENOSPC), not a file-size limit (EFBIG)."""
    import os
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs to fill a real file system needs root")
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")


@pytest.fixture
def tiny_filesystem(tmp_path):
    """96 KiB: pg_dump's schema fits, the table data does not."""
    import subprocess

    mount_tiny_tmpfs(tmp_path / "tiny", "96k")
    yield tmp_path / "tiny"
    subprocess.run(["umount", str(tmp_path / "tiny")], check=True)


def test_a_full_disk_while_pg_dump_writes_the_schema_says_so(postgres_server, source, tmp_path):
    import subprocess

    mount_tiny_tmpfs(tmp_path / "tiny", "4k")
    try:
        result = dump(postgres_server, source[0], tmp_path / "tiny" / "dump")
    finally:
        subprocess.run(["umount", str(tmp_path / "tiny")], check=True)
    assert result["_rc"] != 0
    assert (
        "no space left on the file system of" in result["msg"] and "while pg_dump wrote the" in result["msg"]
    )
    assert "set dump_dir to a larger file system" in result["msg"]


def test_a_full_disk_names_the_file_and_the_space_the_dump_needs(postgres_server, source, tiny_filesystem):
    """It used to fail with a bare '[Errno 28] No space left on device'."""
    dbname, _unused = source
    result = dump(postgres_server, dbname, tiny_filesystem / "dump")
    assert result["_rc"] != 0
    msg = result["msg"]
    assert f"no space left on the file system of {tiny_filesystem / 'dump'}" in msg, msg
    assert "while writing " in msg and ".copy" in msg
    assert "needs about " in msg and "Free space or set dump_dir to a larger file system" in msg
    assert list((tiny_filesystem / "dump").glob(".staging-*")) == []  # the partial files are gone
