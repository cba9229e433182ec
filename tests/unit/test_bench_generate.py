"""bench/generate.py's pure parts: COPY text encoding, the volume shape, schema-driven column plans."""

from __future__ import annotations

import datetime
import uuid

import pytest

from bench import generate
from bench.generate import Column


def test_copy_field_escapes_what_copy_text_format_treats_specially():
    assert generate.copy_field("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"
    assert generate.copy_field(None) == "\\N"
    assert generate.copy_field(True) == "t"
    assert generate.copy_field(False) == "f"


def test_copy_field_writes_json_compact_and_escaped():
    assert generate.copy_field({"k": "line\nbreak", "n": [1, 2.5]}) == '{"k":"line\\\\nbreak","n":[1,2.5]}'


def test_copy_field_writes_bytea_as_escaped_hex():
    assert generate.copy_field(b"\x80\x05}\x94.") == "\\\\x80057d942e"


def test_copy_field_writes_timestamps_with_their_offset_and_uuids_plainly():
    moment = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)  # noqa: UP017
    assert generate.copy_field(moment) == "2025-01-02T03:04:05+00:00"
    value = uuid.UUID(int=1)
    assert generate.copy_field(value) == str(value)


def test_copy_field_refuses_a_type_it_cannot_encode():
    with pytest.raises(TypeError, match="no COPY encoding for set"):
        generate.copy_field({1})


def test_shape_gives_the_requested_task_instances_with_dags_growing_with_volume():
    quick = generate.shape_for(100_000)
    assert quick.task_instances == 100_000
    assert quick.dags == 50
    large = generate.shape_for(1_000_000)
    assert large.task_instances == 1_000_000
    assert large.dags == 500


def test_shape_never_has_more_dags_than_task_instances_allow():
    tiny = generate.shape_for(40)
    assert tiny.dags * tiny.tasks_per_dag <= 40
    assert tiny.task_instances == 40


def test_shape_refuses_fewer_task_instances_than_one_dag_has_tasks():
    with pytest.raises(generate.GeneratorError, match="at least --tasks-per-dag"):
        generate.shape_for(5)


COLUMNS = [
    Column("id", "uuid", nullable=False, has_default=False),
    Column("name", "character varying", nullable=False, has_default=False),
    Column("note", "text", nullable=True, has_default=False),
    Column("state", "character varying", nullable=False, has_default=True),
    Column("weight", "integer", nullable=False, has_default=False),
]


def test_plan_copies_provided_columns_and_fills_required_ones_by_type():
    names, sources, ignored = generate.plan_columns(COLUMNS, {"id": 1, "name": "x", "gone": 3})
    assert names == ["id", "name", "weight"]
    assert sources[:2] == ["id", "name"]
    assert sources[2]() == 0
    assert ignored == ["gone"]


def test_plan_leaves_nullable_and_defaulted_columns_to_the_server():
    names = generate.plan_columns(COLUMNS, {"id": 1, "name": "x", "weight": 2})[0]
    assert "note" not in names
    assert "state" not in names


def test_plan_fills_a_required_uuid_with_a_fresh_value_per_row():
    sources = generate.plan_columns(COLUMNS, {"name": "x", "weight": 1})[1]
    first, second = sources[0](), sources[0]()
    assert isinstance(first, uuid.UUID)
    assert first != second


def test_plan_says_which_column_it_cannot_fill():
    columns = [Column("shape", "polygon", nullable=False, has_default=False)]
    with pytest.raises(generate.GeneratorError, match=r"shape \(polygon\) is NOT NULL"):
        generate.plan_columns(columns, {})


def test_rows_are_the_same_for_the_same_seed():
    shape = generate.shape_for(200)
    one, two = generate.Airflow3Data(shape, seed=7), generate.Airflow3Data(shape, seed=7)
    for data in (one, two):
        list(data.dag_version())
        list(data.dag_run())
    assert list(one.task_instance()) == list(two.task_instance())
