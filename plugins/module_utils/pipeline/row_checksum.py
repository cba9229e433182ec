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
_DEFAULT_ITERSIZE = 5000


_UTC_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)  # noqa: UP017 - Python < 3.11 hosts
_NAIVE_EPOCH = datetime.datetime(1970, 1, 1)  # the epoch of naive timestamps
_MICROSECOND = datetime.timedelta(microseconds=1)
# jsonb cannot hold U+0000, so this prefix cannot collide with a real json string of a jsonb column.
_NUMBER_MARK = "\x00n:"


def canonical_number(value):
    """Exact, spelling-independent text of a Decimal: 1E+2, 100 and 100.0 all give '100'."""
    if value.is_nan():
        return "NaN"
    if value.is_infinite():
        return "Infinity" if value > 0 else "-Infinity"
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return str(normalized.quantize(decimal.Decimal(1)))
    return format(normalized, "f")


def _json_number(text):
    """json numbers are parsed exactly; integral ones become ints so 1e2 and 100 serialise alike."""
    number = decimal.Decimal(text)
    if number.is_finite() and number == number.to_integral_value():
        return int(number)
    return _NUMBER_MARK + canonical_number(number)


# Built once: json.loads/json.dumps with options build a new decoder/encoder on every call, which cost more
# than parsing a small document. Integers need no hook: int() gives what _json_number would.
_JSON_DECODER = json.JSONDecoder(parse_float=_json_number)
_JSON_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonicalise_parsed(value):
    """Turn a json value parsed by someone else (floats, Decimals) into the same form as _JSON_DECODER's."""
    if isinstance(value, dict):
        return {str(k): _canonicalise_parsed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonicalise_parsed(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, decimal.Decimal)):
        return _json_number(str(value))
    return value


def canonical_json(value):
    """Compact json with sorted keys and exact numbers: independent of key order, spacing and spelling.

    ``value`` is json text (as selected with ``::text``) or an already parsed value.
    """
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8")
    parsed = _JSON_DECODER.decode(value) if isinstance(value, str) else _canonicalise_parsed(value)
    return _JSON_ENCODER.encode(parsed)


def _timestamp(value):
    if value.tzinfo is not None:
        return "T" + str((value - _UTC_EPOCH) // _MICROSECOND)
    return "t" + str((value - _NAIVE_EPOCH) // _MICROSECOND)


def _interval(value):
    return "I" + str(value // _MICROSECOND)


# Exact-type dispatch: a dict lookup per value instead of a chain of isinstance calls (1M-row tables).
_CANONICAL_BY_TYPE = {
    str: lambda v: "s" + v,
    int: lambda v: "i" + str(v),
    bool: lambda v: "bt" if v else "bf",
    float: lambda v: "f" + repr(v),
    decimal.Decimal: lambda v: "n" + canonical_number(v),
    memoryview: lambda v: "x" + v.hex(),
    bytes: lambda v: "x" + v.hex(),
    bytearray: lambda v: "x" + bytes(v).hex(),
    datetime.datetime: _timestamp,
    datetime.date: lambda v: "d" + v.isoformat(),
    datetime.time: lambda v: "d" + v.isoformat(),
    datetime.timedelta: _interval,
    uuid.UUID: lambda v: "s" + str(v),
}


def canonical_value(value, is_json=False):
    """A type-tagged canonical text of one column value."""
    if value is None:
        return "N"
    if is_json:
        return "J" + canonical_json(value)
    convert = _CANONICAL_BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, (list, tuple)):
        return "A[" + ",".join(canonical_value(v) for v in value) + "]"
    if isinstance(value, datetime.datetime):  # subclasses (e.g. a driver's own datetime type)
        return _timestamp(value)
    return "s" + str(value)


def row_digest(row, json_columns=frozenset()):
    """Hash of one row: length-prefixed canonical values, so no two rows can collide by concatenation."""
    texts = [canonical_value(value, index in json_columns) for index, value in enumerate(row)]
    payload = "".join([f"{len(text)}:{text}" for text in texts])
    return int.from_bytes(hashlib.sha256(payload.encode("utf-8")).digest(), "big")


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
    return frozenset(i for i, t in enumerate(column_types) if is_json_type(t))


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
    return query, json_column_indexes(column.get("type") for column in columns)
