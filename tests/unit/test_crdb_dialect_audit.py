"""The dialect audit's finder on small sources: what counts as a place, and ids that survive edits."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "airflow_dialect_audit.py"
_spec = importlib.util.spec_from_file_location("airflow_dialect_audit", SCRIPT)
audit = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = audit  # dataclasses look their module up
_spec.loader.exec_module(audit)


def places(source: str):
    return audit.audit_source(textwrap.dedent(source), "m.py")


def test_finds_direct_helper_walrus_membership_and_tainted_names():
    found = places(
        """
        def f(session, engine):
            if session.get_bind().dialect.name == "postgresql":
                pass
            if get_dialect_name(session) != "mysql":
                pass
            if (name := get_dialect_name(session)) == "sqlite":
                pass
            dbname = engine.dialect.name
            if dbname in ("sqlite", "mysql"):
                pass
            if "postgresql" == dbname:
                pass
        """
    )
    assert [p.dialects for p in found] == [
        ("postgresql",),
        ("mysql",),
        ("sqlite",),
        ("sqlite", "mysql"),
        ("postgresql",),
    ]
    assert {p.function for p in found} == {"f"}


def test_a_dialect_parameter_counts_but_other_strings_do_not():
    found = places(
        """
        class C:
            def build(self, dialect, kind):
                if dialect == "postgresql":
                    pass
                if kind == "postgresql":
                    pass
                if dialect == "excel":
                    pass
        """
    )
    assert [(p.function, p.snippet) for p in found] == [("C.build", "dialect == 'postgresql'")]


def test_finds_compilers_hints_dispatch_tables_and_match_cases():
    found = places(
        """
        @compiles(Thing, "postgresql")
        def pg(element, compiler, **kw):
            return "x"

        @compiles(Thing)
        def default(element, compiler, **kw):
            return "y"

        def q(dialect):
            select(T).with_hint(T, "USE INDEX (i)", dialect_name="mysql")
            drivers = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
            lexers = {"mysql": 1, "bash": 2}
            match dialect:
                case "mysql":
                    pass
                case _:
                    pass
        """
    )
    assert [(p.kind, p.dialects) for p in found] == [
        ("compiles", ("postgresql",)),
        ("dialect_option", ("mysql",)),
        ("dialect_map", ("sqlite", "postgresql")),
        ("match_case", ("mysql",)),
    ]


def test_ids_do_not_depend_on_line_numbers_and_repeats_are_numbered():
    body = """
    def f(session):
        if get_dialect_name(session) == "mysql":
            pass
        if get_dialect_name(session) == "mysql":
            pass
    """
    first = places(body)
    shifted = places("import os\n\n\n" + textwrap.dedent(body))
    assert [p.id for p in first] == [p.id for p in shifted]
    assert [p.line for p in first] != [p.line for p in shifted]
    assert first[1].id == first[0].id + "#2"
    assert first[0].id == "m.py::f::compare::get_dialect_name(session) == 'mysql'"


def test_check_reports_unclassified_stale_and_invalid_entries():
    found = places('def f(s):\n    return get_dialect_name(s) == "mysql"\n')
    classification = {
        "places": {
            "m.py::gone::compare::x == 'mysql'": {"class": "a"},
            "m.py::other::compare::y == 'mysql'": {"class": "maybe"},
        }
    }
    problems = audit.check(found, classification)
    assert problems["unclassified"] == [found[0].id]
    assert problems["stale"] == sorted(classification["places"])
    assert problems["invalid"] == ["m.py::other::compare::y == 'mysql'"]
    assert audit.check(found, {"places": {found[0].id: {"class": "a"}}}) == {
        "unclassified": [],
        "stale": [],
        "invalid": [],
    }


def test_tree_leaves_out_migrations_and_providers_but_not_fab(tmp_path):
    rels = (
        "migrations/versions/x.py",
        "providers/p/hook.py",
        "providers/fab/migrations/env.py",
        "providers/fab/auth_manager/models.py",
        "models/m.py",
    )
    for rel in rels:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('def f(s):\n    return s.bind.dialect.name == "mysql"\n')
    assert [p.file for p in audit.audit_tree(tmp_path)] == [
        "models/m.py",
        "providers/fab/auth_manager/models.py",
    ]
    assert len(audit.audit_tree(tmp_path, include_providers=True)) == 3


@pytest.mark.parametrize("name", ["2.11.2", "3.3.2", "3.3.2-fab"])
def test_committed_classifications_are_well_formed(name):
    data = audit.load_classification(SCRIPT.parent / "airflow-dialect-audit" / f"{name}.yml")
    assert data["airflow_version"] == name.removesuffix("-fab")
    for place_id, entry in data["places"].items():
        assert entry["class"] in audit.CLASSES, place_id
        assert entry.get("reason"), place_id
        if entry["class"] == "a":
            assert entry.get("crdb_from"), place_id
