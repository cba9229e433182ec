"""Checksums must be equal for equal content however a server prints or orders it."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import row_checksum as rc


def checksum(rows, json_columns=frozenset()):
    acc = rc.TableChecksum(json_columns)
    for row in rows:
        acc.add(row)
    return acc.row_count, acc.checksum


def test_json_key_order_and_whitespace_do_not_matter():
    postgres_json = '{"b": 1, "a": {"y": [1, 2], "x": true}}'
    cockroach_jsonb = '{"a":{"x":true,"y":[1,2]},"b":1}'
    assert rc.canonical_value(postgres_json, is_json=True) == rc.canonical_value(
        cockroach_jsonb, is_json=True
    )


def test_json_numbers_compare_by_value_not_spelling():
    assert rc.canonical_value('{"n": 1e2}', True) == rc.canonical_value('{"n": 100}', True)
    assert rc.canonical_value('{"n": 1.50}', True) == rc.canonical_value('{"n": 1.5}', True)
    assert rc.canonical_value('{"n": 1.5}', True) != rc.canonical_value('{"n": 1.6}', True)


def test_json_parsed_by_driver_and_json_text_agree():
    text = '{"k": [1, "ü", null], "z": {"a": 0.1}}'
    parsed = json.loads(text, parse_float=decimal.Decimal)
    assert rc.canonical_value(text, True) == rc.canonical_value(parsed, True)


def test_json_content_differences_are_seen():
    assert rc.canonical_value('{"a": 1}', True) != rc.canonical_value('{"a": "1"}', True)
    assert rc.canonical_value('{"a": [1, 2]}', True) != rc.canonical_value('{"a": [2, 1]}', True)


def test_same_instant_in_different_zones_is_equal():
    utc = datetime.datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=datetime.UTC)
    india = utc.astimezone(datetime.timezone(datetime.timedelta(hours=5, minutes=30)))
    assert rc.canonical_value(utc) == rc.canonical_value(india)
    assert rc.canonical_value(utc) != rc.canonical_value(utc + datetime.timedelta(microseconds=1))


def test_naive_and_aware_timestamps_are_not_confused():
    aware = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert rc.canonical_value(aware) != rc.canonical_value(aware.replace(tzinfo=None))


def test_bytea_as_memoryview_or_bytes_is_equal_and_distinct_from_text():
    data = bytes(range(256))
    assert rc.canonical_value(memoryview(data)) == rc.canonical_value(data)
    assert rc.canonical_value(b"ab") != rc.canonical_value("ab")
    assert rc.canonical_value(b"6162") != rc.canonical_value(b"ab")


def test_null_empty_string_and_text_null_are_different():
    values = {
        rc.canonical_value(None),
        rc.canonical_value(""),
        rc.canonical_value("N"),
        rc.canonical_value("\\N"),
    }
    assert len(values) == 4


def test_types_are_tagged_so_one_and_text_one_differ():
    assert rc.canonical_value(1) != rc.canonical_value("1")
    assert rc.canonical_value(True) != rc.canonical_value(1)
    assert rc.canonical_value(decimal.Decimal("1.500")) == rc.canonical_value(decimal.Decimal("1.5"))
    assert rc.canonical_value(uuid.UUID(int=5)) == rc.canonical_value(str(uuid.UUID(int=5)))


def test_table_checksum_does_not_depend_on_row_order():
    rows = [(1, "a", None), (2, "b", b"\x00"), (3, "ü", b"\xff")]
    assert checksum(rows) == checksum(list(reversed(rows)))


def test_duplicate_rows_change_the_checksum():
    rows = [(1, "a"), (2, "b")]
    assert checksum([*rows, (1, "a")]) != checksum(rows)
    assert checksum([*rows, (1, "a"), (1, "a")])[1] != checksum(rows)[1]


def test_values_cannot_shift_between_columns():
    assert checksum([("ab", "c")]) != checksum([("a", "bc")])


def test_checksum_format_is_versioned_hex():
    count, value = checksum([(1,)])
    assert count == 1
    assert value.startswith("v1:") and len(value) == 67
    assert checksum([])[1] == "v1:" + "0" * 64


def test_json_column_indexes_follow_the_type_names():
    assert rc.json_column_indexes(["integer", "jsonb", "text", "JSON"]) == {1, 3}


def test_checksum_query_marks_json_columns_whatever_their_spelling():
    columns = [{"name": "dag_id", "type": "character varying(250)"}, {"name": "tags", "type": "jsonb"}]
    columns.append({"name": "conf", "type": "JSON"})
    _query, json_columns = rc.checksum_query("public", "dag_run", columns)
    assert json_columns == {1, 2}


# Checksums written into a manifest by one release are compared with checksums computed by a later one
# (dump now, verify after an upgrade): these values were computed by the first release of the v1 format and
# must never change while the prefix stays "v1:".
_ZONE = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
_V1_PLAIN_ROWS = [
    (
        1,
        "a",
        None,
        True,
        False,
        1.5,
        decimal.Decimal("1.50"),
        decimal.Decimal("1E+2"),
        b"\x00\xff",
        memoryview(b"ab"),
        bytearray(b"cd"),
    ),
    (
        datetime.datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=_ZONE),
        datetime.datetime(2026, 1, 1),
        datetime.date(2026, 2, 3),
        datetime.time(4, 5, 6),
        datetime.timedelta(days=1, microseconds=7),
        uuid.UUID(int=42),
        [1, "x", None],
        ("t",),
        "",
        "N",
        "\\N",
    ),
    (-(2**70), float("inf"), decimal.Decimal("NaN"), 0, "0", "ü", None, None, None, None, None),
]
_V1_JSON_ROWS = [
    (
        '{"b": 1, "a": {"y": [1, 2.50, 1e2, -0, 12345678901234567890], "x": true, "z": null, '
        '"u": "\\u00fc"}}',
        1,
    ),
    ("[]", 2),
    ('"s"', 3),
    ("3.0", 4),
    (None, 5),
    ({"k": [decimal.Decimal("0.10"), 2.5, 7]}, 6),
]


def test_v1_checksums_are_stable_across_releases():
    assert checksum(_V1_PLAIN_ROWS) == (
        3,
        "v1:efd5226530dbe6a3a7ab619611e24264f729667578a6f3910c62638671449fec",
    )
    assert checksum(_V1_JSON_ROWS, {0}) == (
        6,
        "v1:5a04cb4b58a4d5dad400e44836d8d1dff0d50f50e3ae26b8a15fbb4f5df04e72",
    )
