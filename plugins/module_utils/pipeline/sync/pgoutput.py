# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A pure decoder of PostgreSQL's ``pgoutput`` logical replication messages, protocol version 1.

Source: PostgreSQL documentation, "Logical Replication Message Formats"
(https://www.postgresql.org/docs/15/protocol-logicalrep-message-formats.html) and
src/backend/replication/logical/proto.c. Every integer is big-endian; a String is NUL-terminated;
LSNs are Int64; timestamps are microseconds since 2000-01-01 UTC.

``decode(payload)`` turns the bytes of one message (the ``payload`` of a replication message with
``decode=False``) into one of the frozen dataclasses below. Nothing here talks to a server.
"""

from __future__ import annotations

import datetime
import struct
from dataclasses import dataclass

PG_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)  # noqa: UP017 - Python < 3.11 hosts

# TupleData column kinds.
NULL = "n"
UNCHANGED_TOAST = "u"
TEXT = "t"

# Truncate option bits.
TRUNCATE_CASCADE = 1
TRUNCATE_RESTART_IDENTITY = 2


class DecodeError(ValueError):
    """The bytes are not a pgoutput protocol 1 message this decoder knows."""


def format_lsn(lsn):
    """64-bit LSN -> PostgreSQL's ``X/Y`` text form."""
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


def parse_lsn(text):
    """PostgreSQL's ``X/Y`` text form -> 64-bit LSN."""
    high, _sep, low = str(text).partition("/")
    if not _sep:
        raise DecodeError(f"not an LSN: {text!r}")
    return (int(high, 16) << 32) | int(low, 16)


def pg_timestamp(micros):
    return PG_EPOCH + datetime.timedelta(microseconds=micros)


@dataclass(frozen=True)
class Column:
    """One column of a Relation message; ``key`` when it is part of the replica identity."""

    name: str
    type_oid: int
    type_modifier: int
    key: bool


@dataclass(frozen=True)
class TupleValue:
    """One column of a TupleData: ``kind`` is 'n' (NULL), 'u' (unchanged TOAST value) or 't' (text)."""

    kind: str
    text: str | None = None


@dataclass(frozen=True)
class Begin:
    final_lsn: int  # the LSN of the transaction's commit record
    commit_time: datetime.datetime
    xid: int


@dataclass(frozen=True)
class Commit:
    flags: int
    commit_lsn: int
    end_lsn: int  # the end of the commit record: what a subscriber confirms as flushed
    commit_time: datetime.datetime


@dataclass(frozen=True)
class Origin:
    commit_lsn: int
    name: str


@dataclass(frozen=True)
class Relation:
    oid: int
    namespace: str  # '' for pg_catalog
    name: str
    replica_identity: str  # 'd' default, 'n' nothing, 'f' full, 'i' index
    columns: tuple

    @property
    def key_columns(self):
        return tuple(c.name for c in self.columns if c.key)


@dataclass(frozen=True)
class Type:
    oid: int
    namespace: str
    name: str


@dataclass(frozen=True)
class Insert:
    relation_oid: int
    new: tuple  # of TupleValue


@dataclass(frozen=True)
class Update:
    relation_oid: int
    new: tuple
    old: tuple | None = None  # the old row: key columns ('K') or the whole row ('O'), when sent
    old_kind: str | None = None  # 'K', 'O' or None


@dataclass(frozen=True)
class Delete:
    relation_oid: int
    old: tuple
    old_kind: str  # 'K' (key columns only) or 'O' (whole row, REPLICA IDENTITY FULL)


@dataclass(frozen=True)
class Truncate:
    options: int
    relation_oids: tuple

    @property
    def cascade(self):
        return bool(self.options & TRUNCATE_CASCADE)

    @property
    def restart_identity(self):
        return bool(self.options & TRUNCATE_RESTART_IDENTITY)


@dataclass(frozen=True)
class Message:
    """A logical decoding message (pg_logical_emit_message; sent with the ``messages`` option)."""

    transactional: bool
    lsn: int
    prefix: str
    content: bytes


class _Reader:
    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def take(self, fmt):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise DecodeError(f"message ends at byte {len(self.data)}, {size} more needed at {self.pos}")
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return value

    def int8(self):
        return self.take(">b")

    def uint8(self):
        return self.take(">B")

    def int16(self):
        return self.take(">h")

    def int32(self):
        return self.take(">i")

    def uint32(self):
        return self.take(">I")

    def int64(self):
        return self.take(">q")

    def uint64(self):
        return self.take(">Q")

    def byte(self):
        return chr(self.uint8())

    def raw(self, size):
        if size < 0 or self.pos + size > len(self.data):
            raise DecodeError(f"a {size}-byte value runs past the end of the message")
        value = self.data[self.pos : self.pos + size]
        self.pos += size
        return value

    def string(self):
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            raise DecodeError("a string is not NUL-terminated")
        value = self.data[self.pos : end].decode("utf-8")
        self.pos = end + 1
        return value

    def tuple_data(self):
        values = []
        for _index in range(self.int16()):
            kind = self.byte()
            if kind == TEXT:
                values.append(TupleValue(TEXT, self.raw(self.int32()).decode("utf-8")))
            elif kind in (NULL, UNCHANGED_TOAST):
                values.append(TupleValue(kind))
            else:
                raise DecodeError(f"unknown TupleData column kind {kind!r} (binary mode is not supported)")
        return tuple(values)

    def end(self, message):
        if self.pos != len(self.data):
            raise DecodeError(f"{len(self.data) - self.pos} bytes left after a {type(message).__name__}")
        return message


def _begin(r):
    return Begin(r.uint64(), pg_timestamp(r.int64()), r.uint32())


def _commit(r):
    return Commit(r.int8(), r.uint64(), r.uint64(), pg_timestamp(r.int64()))


def _origin(r):
    return Origin(r.uint64(), r.string())


def _relation(r):
    oid, namespace, name, identity = r.uint32(), r.string(), r.string(), r.byte()
    columns = []
    for _index in range(r.int16()):
        flags = r.int8()
        columns.append(Column(r.string(), r.uint32(), r.int32(), bool(flags & 1)))
    return Relation(oid, namespace, name, identity, tuple(columns))


def _type(r):
    return Type(r.uint32(), r.string(), r.string())


def _insert(r):
    oid = r.uint32()
    marker = r.byte()
    if marker != "N":
        raise DecodeError(f"Insert: expected 'N' before the new tuple, got {marker!r}")
    return Insert(oid, r.tuple_data())


def _update(r):
    oid = r.uint32()
    marker = r.byte()
    old = old_kind = None
    if marker in ("K", "O"):
        old_kind, old = marker, r.tuple_data()
        marker = r.byte()
    if marker != "N":
        raise DecodeError(f"Update: expected 'N' before the new tuple, got {marker!r}")
    return Update(oid, r.tuple_data(), old, old_kind)


def _delete(r):
    oid = r.uint32()
    marker = r.byte()
    if marker not in ("K", "O"):
        raise DecodeError(f"Delete: expected 'K' or 'O' before the old tuple, got {marker!r}")
    return Delete(oid, r.tuple_data(), marker)


def _truncate(r):
    count, options = r.int32(), r.int8()
    return Truncate(options, tuple(r.uint32() for _index in range(count)))


def _message(r):
    flags, lsn, prefix = r.int8(), r.uint64(), r.string()
    return Message(bool(flags & 1), lsn, prefix, r.raw(r.int32()))


_DECODERS = {
    "B": _begin,
    "C": _commit,
    "O": _origin,
    "R": _relation,
    "Y": _type,
    "I": _insert,
    "U": _update,
    "D": _delete,
    "T": _truncate,
    "M": _message,
}


def decode(payload):
    """One pgoutput protocol 1 message (bytes) -> its dataclass; DecodeError for anything else."""
    if not payload:
        raise DecodeError("empty message")
    reader = _Reader(payload)
    kind = reader.byte()
    decoder = _DECODERS.get(kind)
    if decoder is None:
        raise DecodeError(f"unknown pgoutput message type {kind!r} (protocol 1 has B C O R Y I U D T M)")
    return reader.end(decoder(reader))
