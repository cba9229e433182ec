# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-table content checksums that come out the same on PostgreSQL and CockroachDB.

Every value is turned into a canonical text in Python (json parsed and re-serialised with sorted keys
and exact numbers, timestamps in UTC, bytes as hex), each row is hashed, and the row hashes are
summed modulo 2**256. The sum does not depend on row order, so no ORDER BY (no sort, no collation
difference between servers) is needed and rows stream through a server-side cursor: memory stays
bounded whatever the table size.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid

CHECKSUM_PREFIX = "v1:"
_MODULUS = 2**256
_DEFAULT_ITERSIZE = 2000


def _json_loads(text):
    """json.loads with exact numbers, so 1e2, 100 and 100.0 all compare as the same number."""
    return json.loads(text, parse_float=decimal.Decimal, parse_int=decimal.Decimal)


def canonical_number(value):
    if value.is_nan():
        return "NaN"
    if value.is_infinite():
        return "Infinity" if value > 0 else "-Infinity"
    normalized = value.normalize()
    # normalize() writes 100 as 1E+2; write every integral number without an exponent.
    if normalized == normalized.to_integral_value():
        return str(normalized.quantize(decimal.Decimal(1)))
    return format(normalized, "f")


def canonical_json(value):
    """Compact json with sorted keys and canonical numbers: key order/whitespace-insensitive."""
    if isinstance(value, dict):
        items = sorted((str(k), canonical_json(v)) for k, v in value.items())
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + v for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float, decimal.Decimal)):
        return canonical_number(decimal.Decimal(str(value)))
    return json.dumps(value, ensure_ascii=False)


def canonical_value(value, is_json=False):
    """A type-tagged canonical text of one column value."""
    if value is None:
        return "N"
    if is_json:
        if isinstance(value, str):
            value = _json_loads(value)
        return "J" + canonical_json(value)
    if isinstance(value, bool):
        return "b" + ("t" if value else "f")
    if isinstance(value, int):
        return "i" + str(value)
    if isinstance(value, decimal.Decimal):
        return "n" + canonical_number(value)
    if isinstance(value, float):
        return "f" + repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "x" + bytes(value).hex()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)  # noqa: UP017 - Python < 3.11 hosts
            return "T" + value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
        return "t" + value.isoformat(timespec="microseconds")
    if isinstance(value, (datetime.date, datetime.time)):
        return "d" + value.isoformat()
    if isinstance(value, datetime.timedelta):
        return "I" + str(value.days * 86400 * 10**6 + value.seconds * 10**6 + value.microseconds)
    if isinstance(value, uuid.UUID):
        return "s" + str(value)
    if isinstance(value, (list, tuple)):
        return "A[" + ",".join(canonical_value(v) for v in value) + "]"
    return "s" + str(value)


def row_digest(row, json_columns=frozenset()):
    """Hash of one row: length-prefixed canonical values, so no two rows can collide by concatenation."""
    digest = hashlib.sha256()
    for index, value in enumerate(row):
        text = canonical_value(value, index in json_columns).encode("utf-8")
        digest.update(str(len(text)).encode("ascii") + b":" + text)
    return int.from_bytes(digest.digest(), "big")


class TableChecksum:
    """Accumulates an order-independent checksum and the row count of a stream of rows."""

    def __init__(self, json_columns=frozenset()):
        self.json_columns = frozenset(json_columns)
        self.total = 0
        self.row_count = 0

    def add(self, row):
        self.total = (self.total + row_digest(row, self.json_columns)) % _MODULUS
        self.row_count += 1

    @property
    def checksum(self):
        return CHECKSUM_PREFIX + format(self.total, "064x")


def json_column_indexes(column_types):
    """Positions of json/jsonb columns (compared as parsed json, whatever the server prints)."""
    return frozenset(i for i, t in enumerate(column_types) if t and t.lower() in ("json", "jsonb"))


def table_checksum(
    conn, select_sql, json_columns=frozenset(), itersize=_DEFAULT_ITERSIZE, name="airflow_ops_sum"
):
    """Stream ``select_sql`` through a server-side cursor in ``conn``'s transaction; return (count, checksum).

    json and jsonb columns must be selected as text (``col::text``) so psycopg2 does not parse them
    with float semantics; they are parsed here with exact numbers.
    """
    acc = TableChecksum(json_columns)
    with conn.cursor(name=name) as cur:
        cur.itersize = itersize
        cur.execute(select_sql)
        for row in cur:
            acc.add(row)
    return acc.row_count, acc.checksum


def is_json_type(type_name):
    return (type_name or "").lower() in ("json", "jsonb")


def checksum_query(schema, name, columns):
    """SELECT of ``columns`` ([{name, type}]) in manifest order; json read as text (parsed exactly here).

    Selecting by name keeps the comparison independent of column order and hidden columns
    (CockroachDB's ``rowid``) on the target.
    """
    from psycopg2 import sql  # imported here: this module's pure functions must work without psycopg2

    fields = []
    for column in columns:
        ident = sql.Identifier(column["name"])
        fields.append(sql.SQL("{}::text").format(ident) if is_json_type(column.get("type")) else ident)
    query = sql.SQL("SELECT {} FROM {}.{}").format(
        sql.SQL(", ").join(fields), sql.Identifier(schema), sql.Identifier(name)
    )
    json_columns = frozenset(i for i, c in enumerate(columns) if is_json_type(c.get("type")))
    return query, json_columns
