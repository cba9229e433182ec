"""Row-level verification without a server: the canonical row keeps plain columns as read, COPY text is
unescaped as PostgreSQL documents it, and the walk names missing, mismatched and extraneous rows across
batch boundaries without holding more than a batch (checked against a set-based truth on random tables).

The type matrix (every column type of the golden schemas) is in
tests/integration/test_row_compare_types.py: psycopg2 parses timestamps only with a real cursor.
"""

from __future__ import annotations

import datetime
import random

import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline.verify import row_compare as rcmp


def test_values_of_other_columns_are_kept_as_read():
    columns = [{"name": "a", "type": "integer"}, {"name": "b", "type": "character varying(250)"}]
    columns.append({"name": "c", "type": "boolean"})
    assert rcmp.row_converters(columns) == ()
    assert rcmp.canonical_row([1, "x", True], ()) == (1, "x", True)


def canonical(type_name, value):
    return rcmp.canonical_row((value,), rcmp.row_converters([{"name": "c", "type": type_name}]))


def test_an_instant_and_a_wall_clock_time_are_not_confused():
    aware = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert canonical("timestamp with time zone", aware) != canonical(
        "timestamp with time zone", aware.replace(tzinfo=None)
    )


def test_base_type_strips_lengths_and_keeps_arrays():
    assert rcmp.base_type("character varying(250)") == "character varying"
    assert rcmp.base_type("numeric(12, 3)") == "numeric"
    assert rcmp.base_type("TEXT[]") == "text[]"


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("a\t\\N\t\n", ["a", None, ""]),
        (
            "tab\\there\tnew\\nline\\r\tback\\\\slash\t\\\\N\n",
            ["tab\there", "new\nline\r", "back\\slash", "\\N"],
        ),
        ("\\x41\\101\\b\\f\\v\n", ["AA\b\f\v"]),
        ("\\\\x00ff\n", ["\\x00ff"]),
    ],
)
def test_copy_text_lines_are_unescaped_as_postgresql_documents(line, fields):
    assert rcmp.parse_copy_line(line) == fields


def batches(rows, size):
    it = iter(rows)
    while True:
        chunk = []
        for _position in range(size):
            item = next(it, None)
            if item is None:
                break
            chunk.append(((item[0],), (item[0], item[1])))
        if not chunk:
            return
        yield chunk


def truth(expected, actual):
    exp, act = dict(expected), dict(actual)
    return {
        "missing": sorted(k for k in exp if k not in act),
        "mismatched": sorted(k for k in exp if k in act and exp[k] != act[k]),
        "extraneous": sorted(k for k in act if k not in exp),
    }


@pytest.mark.parametrize("seed", range(40))
def test_walk_finds_exactly_the_differing_rows_across_batch_boundaries(seed):
    rng = random.Random(seed)
    keys = sorted(rng.sample(range(10000), rng.randint(0, 300)))
    expected = [(k, rng.choice("abc")) for k in keys]
    actual = []
    for k, v in expected:
        roll = rng.random()
        if roll < 0.1:
            continue  # missing
        actual.append((k, v + "x" if roll < 0.2 else v))
    actual += [(k, "new") for k in rng.sample(range(10000, 11000), rng.randint(0, 20))]
    actual += [(k, "gap") for k in rng.sample(range(10000), 10) if k not in dict(expected)]
    actual.sort()
    batch = rng.randint(1, 17)
    diff = rcmp.compare_sorted(batches(expected, batch), batches(actual, batch), rcmp.TableDiff(10**6))
    want = truth(expected, actual)
    for kind in rcmp.TableDiff.KINDS:
        assert [k[0] for k in diff.keys[kind]] == want[kind]
        assert diff.counts[kind] == len(want[kind])
    assert diff.expected_rows == len(expected) and diff.actual_rows == len(actual)
    assert diff.max_rows_held <= batch


def test_keys_reported_are_capped_but_counts_are_complete():
    expected = [(k, "v") for k in range(100)]
    diff = rcmp.compare_sorted(batches(expected, 7), batches([], 7), rcmp.TableDiff(report_keys=3))
    assert diff.counts["missing"] == 100 and diff.as_dict()["missing_keys"] == [[0], [1], [2]]


def test_keys_are_reported_as_json_friendly_lists():
    stamp = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert rcmp.json_key((1, "a", stamp)) == [1, "a", str(stamp)]
