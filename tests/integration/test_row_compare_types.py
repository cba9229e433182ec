"""The canonical row of row-level verification: equal content gives equal rows however PostgreSQL or
CockroachDB prints it, for every column type of the Airflow 2.11, 3.3 and 3.3+FAB schemas (read from the
golden schemas), and other content gives other rows.

The texts below are what each engine sends for the same content (PostgreSQL with its defaults and with
other session settings; CockroachDB as its docs and ../shared/CRDB_CONSTRUCTS.md describe it: JSONB
reorders keys and drops spacing, BYTES, INT8, shortest floats). They are parsed with psycopg2's own
typecasters, as the driver parses them off the wire (the cursor of a real PostgreSQL connection supplies
the time zone factory; nothing is sent to the server). What is not proven here: that a live CockroachDB
sends exactly these texts (no cluster runs on this machine).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import psycopg2
import psycopg2.extensions
import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.verify import row_compare as rcmp

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cursor(postgres_server):
    conn = psycopg2.connect(postgres_server.url)
    yield conn.cursor()
    conn.close()


GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SCHEMAS = ["airflow-2.11.2", "airflow-3.3.2", "airflow-3.3.2-fab"]

# type: (oid psycopg2 parses it with, or None for json selected as text,
#        [texts of the same content as the engines print them], a text of other content)
TYPE_CASES = {
    "integer": (23, ["42", "+42", " 42"], "43"),
    "bigint": (20, ["9007199254740993", "+9007199254740993"], "9007199254740992"),
    "boolean": (16, ["t", "true"], "f"),
    "character varying": (1043, ["Zürich, 東京, 🚀, e\u0301"], "Zürich, 東京, 🚀, é"),
    "text": (25, ["tab\there\nnew line \\N"], "tab\there\nnew line \\n"),
    "double precision": (
        701,
        ["0.1", "0.10000000000000001", "1.0000000000000000555e-1"],
        "0.10000000000000002",
    ),
    "bytea": (17, ["\\x005cff0a", "\\000\\\\\\377\\012"], "\\x005cff0b"),
    "json": (
        None,
        [
            '{"b": 1, "a": {"y": [1, 2.50, 1e2], "x": true}, "u": "\\u00fc"}',
            '{"a": {"x": true, "y": [1, 2.5, 100]}, "b": 1, "u": "ü"}',
        ],
        '{"a": {"x": true, "y": [1, 2.5, 101]}, "b": 1, "u": "ü"}',
    ),
    "jsonb": (
        None,
        ['{"k": [1.0, "v"],   "j": null}', '{"j": null, "k": [1, "v"]}'],
        '{"j": null, "k": [1, "w"]}',
    ),
    "timestamp with time zone": (
        1184,
        [
            "2026-01-01 12:00:00.123456+00",
            "2026-01-01 17:30:00.123456+05:30",
            "2026-01-01 06:00:00.123456-06",
        ],
        "2026-01-01 12:00:00.123457+00",
    ),
    "timestamp without time zone": (
        1114,
        ["2026-01-01 12:00:00", "2026-01-01 12:00:00.000000"],
        "2026-01-01 12:00:00.000001",
    ),
    "uuid": (
        2950,
        ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"],
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12",
    ),
}


def golden_column_types(name):
    text = (GOLDEN / name / "pg_dump" / "pre-data.sql").read_text()
    types = set()
    for body in re.findall(r"CREATE TABLE \S+ \((.*?)\n\);", text, re.S):
        for line in body.splitlines():
            match = re.match(r'\s+("[^"]+"|[a-z_0-9]+) (.+?)(?: NOT NULL| DEFAULT .*)?,?$', line)
            if match and not match.group(1).startswith("CONSTRAINT"):
                types.add(rcmp.base_type(match.group(2)))
    return types


def as_driver_value(oid, text, cursor):
    caster = psycopg2.extensions.string_types.get(oid)
    if caster is None:
        return text  # json and jsonb are selected as text; psycopg2 returns uuid as text unless registered
    return caster(text, cursor)


def canonical(type_name, value):
    return rcmp.canonical_row((value,), rcmp.row_converters([{"name": "c", "type": type_name}]))


@pytest.mark.parametrize("schema", SCHEMAS)
def test_every_column_type_of_the_golden_schemas_has_a_case_and_a_declared_handling(schema):
    types = golden_column_types(schema)
    assert {"integer", "character varying", "json", "timestamp with time zone", "bytea"} <= types
    assert types <= set(TYPE_CASES), sorted(types - set(TYPE_CASES))
    for type_name in types:  # known to be compared as read or converted on purpose, never by the fallback
        assert rcmp.column_converter(type_name) is not rcmp._other, type_name


@pytest.mark.parametrize("type_name", sorted(TYPE_CASES))
def test_same_content_printed_differently_is_equal_and_other_content_is_not(type_name, cursor):
    oid, texts, other = TYPE_CASES[type_name]
    rows = [canonical(type_name, as_driver_value(oid, text, cursor)) for text in texts]
    assert all(row == rows[0] for row in rows), rows
    assert canonical(type_name, as_driver_value(oid, other, cursor)) != rows[0]


def test_uuid_objects_of_a_driver_that_registered_them_equal_their_text():
    value = uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    assert canonical("uuid", value) == canonical("uuid", str(value))


def test_nan_compares_equal_to_nan_and_null_stays_null():
    nan = float("nan")
    assert canonical("double precision", nan) == canonical("double precision", float("nan"))
    assert canonical("json", None) == (None,) and canonical("timestamp with time zone", None) == (None,)


@pytest.mark.parametrize("type_name", sorted(TYPE_CASES))
def test_the_walk_takes_texts_of_the_same_content_as_equal_rows_and_others_as_mismatched(type_name, cursor):
    """The same through the walk's own path: rows of texts (col::text), compared as text, then parsed."""
    _oid, texts, other = TYPE_CASES[type_name]
    columns = [{"name": "id", "type": "integer"}, {"name": "c", "type": type_name}]
    shape = rcmp.TableShape("public", "t", columns, ["id"]).bind(cursor.connection)
    for text in texts[1:]:
        assert shape.same_content(("1", texts[0]), ("1", text)), text
    assert not shape.same_content(("1", texts[0]), ("1", other))
    assert not shape.same_content(("1", texts[0]), ("1", None))
