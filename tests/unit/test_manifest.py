"""The manifest catches anything a loader could not trust."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import manifest as mf

DATA = b"1\tdag_a\t\\N\n2\tdag_b\tx\n"
PRE = b"CREATE TABLE public.dag (id integer);\n"
POST = b"ALTER TABLE ONLY public.dag ADD CONSTRAINT dag_pkey PRIMARY KEY (id);\n"


@pytest.fixture
def dump(tmp_path):
    (tmp_path / "schema").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "schema" / "pre-data.sql").write_bytes(PRE)
    (tmp_path / "schema" / "post-data.sql").write_bytes(POST)
    (tmp_path / "data" / "public.dag.copy").write_bytes(DATA)
    manifest = {
        "format_version": 1,
        "created_at": "2026-01-01T00:00:00+00:00",
        "source": {"server_version": "15.20", "database": "airflow"},
        "pg_dump_version": "15.20",
        "alembic_revision": "29ce7909c52b",
        "tables": [
            {
                "schema": "public",
                "name": "dag",
                "file": "data/public.dag.copy",
                "columns": [{"name": "id", "type": "integer"}],
                "primary_key": ["id"],
                "row_count": 2,
                "checksum": "v1:" + "a" * 64,
                "file_sha256": hashlib.sha256(DATA).hexdigest(),
            }
        ],
        "sequences": [{"schema": "public", "name": "dag_id_seq", "value": 2, "is_called": True}],
        "schema_files": {
            "pre-data": hashlib.sha256(PRE).hexdigest(),
            "post-data": hashlib.sha256(POST).hexdigest(),
        },
    }
    mf.write(str(tmp_path), manifest)
    return tmp_path, manifest


def test_a_complete_dump_validates(dump):
    path, manifest = dump
    assert mf.load(str(path)) == manifest


def test_manifest_write_is_atomic_and_leaves_no_temp_files(dump):
    path, _unused = dump
    assert sorted(p.name for p in path.iterdir()) == ["data", "manifest.json", "schema"]


def test_missing_manifest_says_to_dump_first(tmp_path):
    with pytest.raises(mf.ManifestError, match="run metastore_dump"):
        mf.load(str(tmp_path))


def test_manifest_that_is_not_json_is_rejected(dump):
    path, _unused = dump
    (path / "manifest.json").write_text('{"format_version": 1, "tables": [')
    with pytest.raises(mf.ManifestError, match="not a readable json manifest"):
        mf.load(str(path))


def test_truncated_data_file_is_caught(dump):
    path, _unused = dump
    (path / "data" / "public.dag.copy").write_bytes(DATA[:-5])
    with pytest.raises(mf.ManifestError, match="does not match its sha256"):
        mf.load(str(path))


def test_missing_schema_file_is_caught(dump):
    path, _unused = dump
    (path / "schema" / "post-data.sql").unlink()
    with pytest.raises(mf.ManifestError, match="is missing"):
        mf.load(str(path))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: m.pop("tables"), "missing 'tables'"),
        (lambda m: m.update(format_version=99), "format_version 99 is not supported"),
        (lambda m: m["tables"][0].update(row_count=-1), "negative"),
        (lambda m: m["tables"][0].update(row_count="2"), "'row_count' must be int"),
        (lambda m: m["tables"][0].update(row_count=True), "'row_count' must be int"),
        (lambda m: m["tables"][0].update(checksum="abc"), "not a v1 checksum"),
        (lambda m: m["tables"][0].update(checksum=None), "'checksum' must be str"),
        (lambda m: m.update(checksums=False), "a checksum in a dump taken without checksums"),
        (lambda m: m["tables"][0].update(file="../../etc/passwd"), "inside the dump directory"),
        (lambda m: m["tables"][0].update(file="data/../x.copy"), "inside the dump directory"),
        (lambda m: m["tables"][0].update(columns=[]), "non-empty list"),
        (lambda m: m["tables"].append(copy.deepcopy(m["tables"][0])), "lists a table twice"),
        (lambda m: m["sequences"][0].update(is_called="yes"), "'is_called' must be bool"),
        (lambda m: m["schema_files"].pop("post-data"), "'post-data' is not a sha256"),
    ],
)
def test_corrupted_manifest_is_rejected_with_what_is_wrong(dump, mutate, message):
    """Sealed after the change, as a faulty dumper would write it: each field is still checked."""
    path, manifest = dump
    broken = copy.deepcopy(manifest)
    mutate(broken)
    (path / "manifest.json").write_text(json.dumps(mf.seal(broken)))
    with pytest.raises(mf.ManifestError, match=message):
        mf.load(str(path))


def test_manifest_edited_after_the_dump_is_refused_before_anything_else(dump):
    path, manifest = dump
    edited = copy.deepcopy(manifest)
    edited["tables"][0]["row_count"] = 3  # still a valid manifest in every other respect
    (path / "manifest.json").write_text(json.dumps(edited))
    with pytest.raises(mf.ManifestError, match=r"changed after metastore_dump wrote it.*dump again"):
        mf.load(str(path))


def test_manifest_without_its_digest_is_refused_with_dump_again(dump):
    path, manifest = dump
    older = {k: v for k, v in manifest.items() if k != mf.DIGEST_KEY}
    (path / "manifest.json").write_text(json.dumps(older))
    with pytest.raises(mf.ManifestError, match=r"has no 'manifest_sha256'.*dump again"):
        mf.load(str(path))


def test_manifest_digest_does_not_depend_on_key_order_or_indentation(dump):
    path, manifest = dump
    reordered = dict(reversed(list(json.loads((path / "manifest.json").read_text()).items())))
    (path / "manifest.json").write_text(json.dumps(reordered, ensure_ascii=True))
    assert mf.load(str(path)) == manifest


def test_a_dump_without_checksums_validates_with_null_checksums(dump):
    path, manifest = dump
    manifest.update(checksums=False)
    manifest["tables"][0]["checksum"] = None
    mf.write(str(path), manifest)
    assert mf.has_checksums(mf.load(str(path))) is False


def test_table_names_with_path_separators_cannot_become_file_names():
    assert mf.data_file("public", "dag_run") == "data/public.dag_run.copy"
    with pytest.raises(mf.ManifestError):
        mf.data_file("public", "../evil")


def test_content_digest_ignores_creation_time_but_not_content(dump):
    _unused, manifest = dump
    later = dict(copy.deepcopy(manifest), created_at="2030-01-01T00:00:00+00:00")
    assert mf.content_digest(later) == mf.content_digest(manifest)
    changed = copy.deepcopy(manifest)
    changed["tables"][0]["row_count"] = 3
    assert mf.content_digest(changed) != mf.content_digest(manifest)
