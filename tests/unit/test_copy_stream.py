"""Batches of a COPY text file: whole rows, bounded size, exact byte offsets for resuming."""

from __future__ import annotations

import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import copy_stream as cs

ROWS = [b"1\ta\\nb\t\\N\n", b"2\t\xc3\xbc\t\\\\x00ff\n", b"3\t" + b"x" * 1000 + b"\t\\N\n", b"4\t\\.\t\\N\n"]


@pytest.fixture
def copy_file(tmp_path):
    path = tmp_path / "public.t.copy"
    path.write_bytes(b"".join(ROWS))
    return path


def test_batches_hold_whole_rows_up_to_the_row_limit(copy_file):
    batches = list(cs.iter_batches(str(copy_file), max_rows=3))
    assert [b[1] for b in batches] == [3, 1]
    assert b"".join(b[0] for b in batches) == b"".join(ROWS)
    assert batches[-1][2] == copy_file.stat().st_size


def test_byte_limit_bounds_a_batch_but_a_long_row_still_goes_alone(copy_file):
    batches = list(cs.iter_batches(str(copy_file), max_rows=100, max_bytes=10))
    assert [b[1] for b in batches] == [1, 1, 1, 1]
    assert batches[2][0] == ROWS[2]


def test_resuming_from_an_offset_continues_with_the_next_row(copy_file):
    first = next(cs.iter_batches(str(copy_file), max_rows=2))
    rest = list(cs.iter_batches(str(copy_file), start_offset=first[2], max_rows=2))
    assert rest[0][0] == ROWS[2] + ROWS[3]


def test_a_file_cut_in_the_middle_of_a_row_is_refused(tmp_path):
    path = tmp_path / "cut.copy"
    path.write_bytes(ROWS[0] + b"2\tpartial")
    with pytest.raises(ValueError, match="middle of a row"):
        list(cs.iter_batches(str(path)))


def test_empty_file_gives_no_batch(tmp_path):
    path = tmp_path / "empty.copy"
    path.write_bytes(b"")
    assert list(cs.iter_batches(str(path))) == []
