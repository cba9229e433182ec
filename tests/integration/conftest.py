"""Fixtures shared by the verification tests (test_metastore_verify.py, test_metastore_verify_rows.py)."""

from __future__ import annotations

import uuid

import pytest

from tests.integration import metastore_helpers as h


@pytest.fixture(scope="module")
def loaded(postgres_server, tmp_path_factory):
    """A source, its dump, and a function that loads it into a fresh target database."""
    source = f"src_{uuid.uuid4().hex[:8]}"
    h.make_source(postgres_server, source, dags=6, runs_per_dag=10, tasks_per_run=4)
    path = tmp_path_factory.mktemp("verify") / "dump"
    assert (
        h.run_module("metastore_dump", h.conn_args(postgres_server, source, dump_dir=str(path)))["_rc"] == 0
    )
    yield source, path
    h.drop_database(postgres_server, source)


@pytest.fixture
def target(postgres_server, loaded, pg_database):
    _unused, path = loaded
    result = h.run_module("metastore_load", h.conn_args(postgres_server, pg_database, dump_dir=str(path)))
    assert result["_rc"] == 0, result.get("msg")
    return pg_database
