# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""COPY TO a file and COPY FROM a file in bounded batches, without holding a table in memory.

COPY's text format writes one row per line (newlines inside values are escaped as ``\\n``), so a
data file can be cut at line ends into batches, and a batch's end is a byte offset that a resumed
load seeks to.
"""

from __future__ import annotations

import hashlib
import io
import os

try:
    from psycopg2 import sql

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - reported by the modules with missing_required_lib()
    HAS_PSYCOPG2 = False

DEFAULT_BATCH_ROWS = 10000
DEFAULT_BATCH_BYTES = 16 * 1024 * 1024


class DamagedCopyFile(ValueError):
    """A data file that cannot be whole: a load cannot fix it by running again, only a new dump can."""


class _HashingWriter:
    """A write-only file that hashes and counts what passes through it."""

    def __init__(self, handle):
        self._handle = handle
        self.sha256 = hashlib.sha256()
        self.bytes = 0
        self.rows = 0  # COPY text: one line per row (newlines inside values are escaped)

    def write(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sha256.update(data)
        self.bytes += len(data)
        self.rows += data.count(b"\n")
        return self._handle.write(data)


def copy_statement(schema, name, columns, direction):
    """``COPY "schema"."name" ("c1", ...) TO STDOUT`` / ``FROM STDIN`` with every identifier quoted."""
    target = sql.SQL("{}.{} ({})").format(
        sql.Identifier(schema), sql.Identifier(name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    if direction == "out":
        return sql.SQL("COPY {} TO STDOUT").format(target)
    return sql.SQL("COPY {} FROM STDIN").format(target)


def copy_table_to_file(cur, schema, name, columns, path, buffer_size=1 << 20):
    """Stream a table into ``path`` chunk by chunk; return (bytes written, sha256 hex, rows)."""
    statement = copy_statement(schema, name, columns, "out").as_string(cur.connection)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # table data: owner-only
    with os.fdopen(fd, "wb", buffering=buffer_size) as handle:
        writer = _HashingWriter(handle)
        cur.copy_expert(statement, writer, size=buffer_size)
    return writer.bytes, writer.sha256.hexdigest(), writer.rows


def iter_batches(path, start_offset=0, max_rows=DEFAULT_BATCH_ROWS, max_bytes=DEFAULT_BATCH_BYTES):
    """Yield (data, rows, end_offset) batches of whole lines from ``start_offset``.

    A batch ends after ``max_rows`` lines or once it holds ``max_bytes`` (a single longer row still
    goes in alone), so memory stays bounded by about one batch.
    """
    with open(path, "rb") as handle:
        handle.seek(start_offset)
        offset = start_offset
        while True:
            chunk = io.BytesIO()
            rows = 0
            while rows < max_rows and chunk.tell() < max_bytes:
                line = handle.readline()
                if not line:
                    break
                if not line.endswith(b"\n"):
                    raise DamagedCopyFile(
                        f"{path} ends in the middle of a row at byte {offset + chunk.tell() + len(line)}"
                    )
                chunk.write(line)
                rows += 1
            if not rows:
                return
            offset += chunk.tell()
            yield chunk.getvalue(), rows, offset


def copy_batch_into_table(cur, schema, name, columns, data):
    """COPY one batch (bytes of whole COPY text lines) into the table, inside the caller's transaction."""
    statement = copy_statement(schema, name, columns, "in").as_string(cur.connection)
    cur.copy_expert(statement, io.BytesIO(data))
