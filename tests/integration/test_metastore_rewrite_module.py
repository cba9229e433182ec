"""metastore_rewrite run through Ansible itself (``ansible localhost -m ...``), on real Airflow dumps.

The input is the golden pg_dump of a real Airflow 3.3.2 database (tests/golden, see
test_golden_schemas.py); the module must write exactly the golden rewrite, report the rules,
honour check mode and diff mode, and report ``changed: false`` when nothing would change.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN = REPO_ROOT / "tests" / "golden"
MODULE = "airflow_ops.metastore.metastore_rewrite"
OUTPUTS = ("pre-data.sql", "post-data.sql", "rewrite-report.json")

pytestmark = pytest.mark.integration


def run_ansible(args: dict, check: bool = False, diff: bool = False) -> dict:
    """Run the module with ad-hoc ``ansible`` and return its result for localhost."""
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(REPO_ROOT / ".build" / "collections"),
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
    )
    argv = ["ansible", "localhost", "-c", "local", "-m", MODULE, "-a", json.dumps(args)]
    argv += ["--check"] * check + ["--diff"] * diff
    proc = subprocess.run(
        argv, env=env, capture_output=True, text=True, cwd=REPO_ROOT, timeout=300, check=False
    )
    try:
        output = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"ansible did not print JSON (rc {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return output["plays"][0]["tasks"][0]["hosts"]["localhost"]


@pytest.fixture
def dump_dir(tmp_path):
    """A DUMP_DIR laid out as metastore_dump writes it, holding a real Airflow 3.3.2 schema."""
    schema = tmp_path / "dump" / "schema"
    shutil.copytree(GOLDEN / "airflow-3.3.2" / "pg_dump", schema)
    return tmp_path / "dump"


def snapshot(directory: Path) -> dict:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.iterdir())}


def test_first_run_writes_the_golden_rewrite_into_the_default_dest(dump_dir):
    result = run_ansible({"src": str(dump_dir / "schema")})
    assert result["changed"] is True, result
    dest = dump_dir / "rewritten" / "cockroachdb"
    assert result["output_dir"] == str(dest)
    assert result["target_version"] == "v25.4.0"
    assert result["report"]["primary-key-in-create-table"]["count"] == 58
    assert "sequence-as-type" in result["rules_not_needed"]
    for name in OUTPUTS:
        assert (dest / name).read_text() == (
            GOLDEN / "airflow-3.3.2" / "cockroachdb-v25.4" / name
        ).read_text()
    assert oct((dest / "pre-data.sql").stat().st_mode & 0o777) == "0o640"


def test_second_run_is_unchanged_and_touches_no_file(dump_dir):
    assert run_ansible({"src": str(dump_dir / "schema")})["changed"] is True
    before = snapshot(dump_dir / "rewritten" / "cockroachdb")
    again = run_ansible({"src": str(dump_dir / "schema")})
    assert again["changed"] is False
    assert all(not f["changed"] for f in again["files"])
    assert snapshot(dump_dir / "rewritten" / "cockroachdb") == before


def test_check_mode_reports_the_change_and_writes_nothing(dump_dir):
    result = run_ansible({"src": str(dump_dir / "schema"), "target_version": "v20.2"}, check=True)
    assert result["changed"] is True
    assert result["report"]["nextval-regclass"]["count"] == 18
    assert not (dump_dir / "rewritten").exists()


def test_diff_shows_before_and_after_of_each_changed_file(dump_dir):
    dest = dump_dir / "out"
    run_ansible({"src": str(dump_dir / "schema"), "dest": str(dest)})
    result = run_ansible(
        {"src": str(dump_dir / "schema"), "dest": str(dest), "target_version": "v21.1"}, diff=True
    )
    assert result["changed"] is True
    diffs = {d["after_header"]: d for d in result["diff"]}
    pre = diffs[str(dest / "pre-data.sql")]
    sequence = "CREATE SEQUENCE public.asset_alias_id_seq\n    AS integer"
    assert sequence in pre["before"] and "\n    AS integer" not in pre["after"]
    post = diffs[str(dest / "post-data.sql")]  # v21.1 lacks the header settings of v22.1+
    removed = set(post["before"].splitlines()) - set(post["after"].splitlines())
    assert {"SET xmloption = content;", "SET check_function_bodies = false;"} <= removed
    assert (
        "set-config-search-path"
        in json.loads(diffs[str(dest / "rewrite-report.json")]["after"])["rules_applied"]
    )


def test_postgresql_target_rewrites_owners_only(dump_dir):
    result = run_ansible({"src": str(dump_dir / "schema"), "target": "postgresql", "owner": "airflow_owner"})
    assert result["changed"] is True
    assert set(result["report"]) == {"psql-meta-commands", "owner-to"}
    assert result["target_version"] is None
    dest = dump_dir / "rewritten" / "postgresql"
    for name in OUTPUTS:
        assert (dest / name).read_text() == (GOLDEN / "airflow-3.3.2" / "postgresql" / name).read_text()


def test_rewrite_warnings_are_returned_and_shown_as_ansible_warnings(dump_dir):
    result = run_ansible({"src": str(dump_dir / "schema"), "target_version": "v20.2", "owner": "airflow"})
    assert result["rewrite_warnings"]
    assert any("keep the loading user as owner" in w for w in result["warnings"])


def test_missing_schema_file_fails_with_what_to_do(dump_dir):
    (dump_dir / "schema" / "post-data.sql").unlink()
    result = run_ansible({"src": str(dump_dir / "schema")})
    assert result["failed"] is True
    assert "post-data.sql" in result["msg"] and "metastore_dump" in result["msg"]


def test_bad_target_version_fails_before_writing_anything(dump_dir):
    result = run_ansible({"src": str(dump_dir / "schema"), "target_version": "v19.2"})
    assert result["failed"] is True
    assert "older than the oldest version" in result["msg"]
    assert not (dump_dir / "rewritten").exists()


def test_truncated_or_corrupted_schema_fails_with_the_cause_and_keeps_previous_output(dump_dir):
    assert run_ansible({"src": str(dump_dir / "schema")})["changed"] is True
    before = snapshot(dump_dir / "rewritten" / "cockroachdb")
    pre = dump_dir / "schema" / "pre-data.sql"
    text = pre.read_text()
    pre.write_text(text[: text.index("CREATE TABLE public.variable") + 40])  # a cut-short copy
    result = run_ansible({"src": str(dump_dir / "schema")})
    assert result["failed"] is True
    assert "pre-data.sql is incomplete" in result["msg"]
    pre.write_text(text.replace("CREATE TABLE public.variable (", "CREATE TABLE public.variable (("))
    result = run_ansible({"src": str(dump_dir / "schema")})
    assert result["failed"] is True
    assert "cannot parse the SQL near line" in result["msg"]
    assert snapshot(dump_dir / "rewritten" / "cockroachdb") == before


def test_unverified_construct_fails_with_each_statement_and_what_to_do_and_writes_nothing(dump_dir):
    pre = dump_dir / "schema" / "pre-data.sql"
    text = pre.read_text()
    anchor = "CREATE TABLE public.variable ("
    pre.write_text(
        text.replace(anchor, "CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;\n\n" + anchor)
    )
    result = run_ansible({"src": str(dump_dir / "schema")})
    assert result["failed"] is True
    assert result["unverified_constructs"] == [
        "CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public: "
        "not verified for CockroachDB: extension hstore"
    ]
    assert "What to do" in result["msg"] and "nothing was written" in result["msg"]
    assert not (dump_dir / "rewritten").exists()


def test_upgraded_metastore_rewrites_with_its_extension_removed_by_rule(tmp_path):
    schema = tmp_path / "dump" / "schema"
    shutil.copytree(GOLDEN / "airflow-2.9.3-upgraded" / "pg_dump", schema)
    result = run_ansible({"src": str(schema)})
    assert result.get("failed") is not True, result
    assert result["report"]["pgcrypto-extension"]["count"] == 1
    assert result["report"]["comment-on-extension"]["count"] == 1
    assert "EXTENSION" not in (tmp_path / "dump" / "rewritten" / "cockroachdb" / "pre-data.sql").read_text()
