# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Row-level comparison of two copies of a table, in primary-key order, with memory bounded by a batch size.

Both sides are read in primary-key order in batches (a server-side cursor on a database, an external
sort of a dump's COPY file). Each round cuts both buffers at the smaller of their last keys, so the two
chunks cover the same key range, and compares the chunks as whole lists of canonical rows (one C-level
list comparison). Only a chunk that differs is walked key by key, which names its rows as missing (on the
expected side only), mismatched (both sides, other content) or extraneous (on the actual side only).
Each side never holds more than one batch of rows.

The canonical row (``canonical_row``) is the content itself, not a hash of it, so equal chunks cannot hide
a difference behind a collision. Only the columns whose Python value can differ between PostgreSQL and
CockroachDB for equal content are converted (decided once per column from its declared type):

- json/jsonb (selected as text: CockroachDB's JSONB reorders keys and drops spacing): parsed with exact
  numbers and re-serialised with sorted keys (``row_checksum.canonical_json``);
- timestamps: microseconds since the epoch (the session time zone and offset printing do not matter);
- bytea: bytes (hex or escape ``bytea_output`` both parse to the same bytes);
- double precision/real: the float itself (read with ``extra_float_digits = 3``, exact on both engines;
  NaN, which is not equal to itself, becomes the text ``NaN``);
- uuid: its text;
- any other type outside integers, booleans and character types: ``row_checksum.canonical_value``.

Integers, booleans, text and varchar come out of psycopg2 as the same int/bool/str on both engines and
are compared as they are.

Text primary keys are ordered bytewise on both sides (``COLLATE "C"`` on a PostgreSQL database whose
collation is not C; CockroachDB orders STRING bytewise), which is the order of Python's str comparison.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import heapq
import math
import os
import pickle
import re
import tempfile
import time

from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog
from ansible_collections.airflow_ops.metastore.plugins.module_utils import row_checksum as rc

DEFAULT_BATCH_ROWS = 5000
DEFAULT_REPORT_KEYS = 20
# Differing keys kept per table for the live re-check (beyond them the rows are counted, not re-checked).
DEFAULT_RECHECK_LIMIT = 10000
_KEYS_PER_QUERY = 500

_UTC_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)  # noqa: UP017 - Python < 3.11 hosts
_NAIVE_EPOCH = datetime.datetime(1970, 1, 1)
_MICROSECOND = datetime.timedelta(microseconds=1)

_INTEGER_TYPES = {"smallint", "integer", "bigint", "int", "int2", "int4", "int8"}
_TEXT_TYPES = {"text", "character varying", "varchar", "character", "char", "string", "name", "citext"}
_UNCHANGED_TYPES = _INTEGER_TYPES | _TEXT_TYPES | {"boolean", "bool"}


def base_type(type_name):
    """'character varying(250)' -> 'character varying'; arrays keep their '[]'."""
    text = (type_name or "").strip().lower()
    array = text.endswith("[]")
    text = re.sub(r"\(.*?\)", "", text.rstrip("[]")).strip()
    return text + ("[]" if array else "")


def _aware_micros(value):
    if value.tzinfo is None:  # a driver that lost the zone: not comparable with an instant, keep it apart
        return "t" + str((value - _NAIVE_EPOCH) // _MICROSECOND)
    return (value - _UTC_EPOCH) // _MICROSECOND


def _naive_micros(value):
    if value.tzinfo is not None:
        return "T" + str((value - _UTC_EPOCH) // _MICROSECOND)
    return (value - _NAIVE_EPOCH) // _MICROSECOND


def _float(value):
    return "NaN" if math.isnan(value) else value


def _uuid(value):
    return str(value).lower()


def _other(value):
    return rc.canonical_value(value)


_CONVERTERS = {
    "json": rc.canonical_json,
    "jsonb": rc.canonical_json,
    "timestamp with time zone": _aware_micros,
    "timestamptz": _aware_micros,
    "timestamp without time zone": _naive_micros,
    "timestamp": _naive_micros,
    "bytea": bytes,
    "bytes": bytes,
    "double precision": _float,
    "real": _float,
    "float8": _float,
    "float4": _float,
    "uuid": _uuid,
}


def column_converter(type_name):
    """The function that makes a non-NULL value of this declared type canonical, or None (kept as it is)."""
    base = base_type(type_name)
    if base in _UNCHANGED_TYPES:
        return None
    return _CONVERTERS.get(base, _other)


def row_converters(columns):
    """[(index, converter)] for the columns ([{name, type}]) that need converting."""
    pairs = []
    for index, column in enumerate(columns):
        convert = column_converter(column.get("type"))
        if convert is not None:
            pairs.append((index, convert))
    return tuple(pairs)


def canonical_row(row, converters):
    """The row as a tuple whose equality means equal content on either engine (see the module docstring)."""
    if not converters:
        return tuple(row)
    values = list(row)
    for index, convert in converters:
        value = values[index]
        if value is not None:
            values[index] = convert(value)
    return tuple(values)


def json_key(key):
    """A primary key as a JSON-friendly list (ints and strings stay, anything else becomes its text)."""
    return [v if isinstance(v, (int, str)) and not isinstance(v, bool) else str(v) for v in key]


class TableDiff:
    """Missing, mismatched and extraneous rows of one table: counts, the first keys, keys to re-check."""

    KINDS = ("missing", "mismatched", "extraneous")

    def __init__(self, report_keys=DEFAULT_REPORT_KEYS, recheck_limit=DEFAULT_RECHECK_LIMIT):
        self.report_keys = report_keys
        self.recheck_limit = recheck_limit
        self.counts = dict.fromkeys(self.KINDS, 0)
        self.keys = {kind: [] for kind in self.KINDS}
        self.held = []  # (kind, key) kept for a re-check, up to recheck_limit
        self.overflow = dict.fromkeys(self.KINDS, 0)  # differing rows beyond recheck_limit, by kind
        self.expected_rows = 0
        self.actual_rows = 0
        self.max_rows_held = 0  # the most rows one side held at once (measured, for the memory bound)

    def add(self, kind, key):
        self.counts[kind] += 1
        if len(self.keys[kind]) < self.report_keys:
            self.keys[kind].append(key)
        if len(self.held) < self.recheck_limit:
            self.held.append((kind, key))
        else:
            self.overflow[kind] += 1

    @property
    def total(self):
        return sum(self.counts.values())

    def as_dict(self):
        result = {kind: self.counts[kind] for kind in self.KINDS}
        result.update({f"{kind}_keys": [json_key(k) for k in self.keys[kind]] for kind in self.KINDS})
        return result


def _diff_chunk(exp_keys, exp_rows, act_keys, act_rows, diff):
    """Key-by-key walk of two chunks (sorted by key) that are known to differ."""
    i = j = 0
    while i < len(exp_keys) or j < len(act_keys):
        if j >= len(act_keys) or (i < len(exp_keys) and exp_keys[i] < act_keys[j]):
            diff.add("missing", exp_keys[i])
            i += 1
        elif i >= len(exp_keys) or act_keys[j] < exp_keys[i]:
            diff.add("extraneous", act_keys[j])
            j += 1
        else:
            if exp_rows[i] != act_rows[j]:
                diff.add("mismatched", exp_keys[i])
            i += 1
            j += 1


def compare_sorted(expected, actual, diff):
    """Compare two iterators of batches [(key, canonical_row)] sorted by key; fill ``diff``.

    Each round cuts both buffers at the smaller last key, compares the two chunks (same key range) as
    lists and walks them key by key only when they differ. A side is refilled only when its buffer is
    empty, so neither side ever holds more than one batch.
    """
    exp_keys, exp_rows, act_keys, act_rows = [], [], [], []
    exp_done = act_done = False
    while True:
        if not exp_keys and not exp_done:
            exp_keys, exp_rows, exp_done = _refill(expected)
        if not act_keys and not act_done:
            act_keys, act_rows, act_done = _refill(actual)
        diff.max_rows_held = max(diff.max_rows_held, len(exp_keys), len(act_keys))
        if not exp_keys and not act_keys:
            return diff
        bound = min(exp_keys[-1], act_keys[-1]) if exp_keys and act_keys else (exp_keys or act_keys)[-1]
        i = bisect.bisect_right(exp_keys, bound)
        j = bisect.bisect_right(act_keys, bound)
        diff.expected_rows += i
        diff.actual_rows += j
        if i != j or exp_rows[:i] != act_rows[:j]:
            _diff_chunk(exp_keys[:i], exp_rows[:i], act_keys[:j], act_rows[:j], diff)
        exp_keys, exp_rows = exp_keys[i:], exp_rows[i:]
        act_keys, act_rows = act_keys[j:], act_rows[j:]


def _refill(batches):
    batch = next(batches, None)
    if not batch:
        return [], [], True
    return [k for k, _r in batch], [r for _k, r in batch], False


class TableShape:
    """What the comparison needs to know of a table: columns in order, primary key, converters."""

    def __init__(self, schema, name, columns, primary_key):
        self.schema = schema
        self.name = name
        self.columns = list(columns)
        names = [c["name"] for c in self.columns]
        self.primary_key = list(primary_key or [])
        self.key_indexes = tuple(names.index(k) for k in self.primary_key)
        self.key_types = [base_type(self.columns[i].get("type")) for i in self.key_indexes]
        self.converters = row_converters(self.columns)

    def keyed(self, row):
        return tuple(row[i] for i in self.key_indexes), canonical_row(row, self.converters)


def session_is_cockroachdb(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT version()")
        return catalog.is_cockroachdb_version(cur.fetchone()[0])


def needs_c_collation(conn):
    """True on a PostgreSQL database whose text does not already sort bytewise (its collation is not C)."""
    if session_is_cockroachdb(conn):
        return False
    with conn.cursor() as cur:
        cur.execute("SELECT datcollate FROM pg_catalog.pg_database WHERE datname = current_database()")
        return cur.fetchone()[0] not in ("C", "POSIX")


def prepare_session(conn):
    """Floats exact on both engines (PostgreSQL < 12 rounds to 15 digits unless told)."""
    with conn.cursor() as cur:
        cur.execute("SET extra_float_digits = 3")


def _select_list(shape):
    from psycopg2 import sql

    fields = []
    for column in shape.columns:
        ident = sql.Identifier(column["name"])
        fields.append(sql.SQL("{}::text").format(ident) if rc.is_json_type(column.get("type")) else ident)
    return sql.SQL(", ").join(fields)


def _order_by(shape, c_collation):
    from psycopg2 import sql

    parts = []
    for key, key_type in zip(shape.primary_key, shape.key_types):  # noqa: B905 - hosts with Python < 3.10
        ident = sql.Identifier(key)
        if c_collation and key_type in _TEXT_TYPES:
            ident = sql.SQL('{} COLLATE "C"').format(ident)
        parts.append(ident)
    return sql.SQL(", ").join(parts)


def database_batches(conn, shape, batch_rows, c_collation, cursor_name):
    """Batches [(key, canonical_row)] of a table in primary-key order through a server-side cursor."""
    from psycopg2 import sql

    query = sql.SQL("SELECT {} FROM {}.{} ORDER BY {}").format(
        _select_list(shape),
        sql.Identifier(shape.schema),
        sql.Identifier(shape.name),
        _order_by(shape, c_collation),
    )
    keyed = shape.keyed
    with conn.cursor(name=cursor_name) as cur:
        cur.itersize = batch_rows
        cur.execute(query)
        while True:
            rows = cur.fetchmany(batch_rows)
            if not rows:
                return
            yield [keyed(row) for row in rows]


# COPY text format: backslash escapes (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format").
_COPY_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)")
_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unescape_match(match):
    token = match.group(1)
    if token[0] == "x" and len(token) > 1:
        return chr(int(token[1:], 16))
    if token[0] in "01234567":
        return chr(int(token, 8))
    return _SIMPLE_ESCAPES.get(token, token)


def parse_copy_line(line):
    """One line of COPY text format -> list of str (None for ``\\N``)."""
    if line.endswith("\n"):
        line = line[:-1]
    fields = []
    for field in line.split("\t"):
        if field == "\\N":
            fields.append(None)
        elif "\\" in field:
            fields.append(_COPY_ESCAPE.sub(_unescape_match, field))
        else:
            fields.append(field)
    return fields


# format_type() names -> the PostgreSQL type oid whose psycopg2 typecaster parses the text.
_TYPE_OIDS = {
    "bigint": 20,
    "smallint": 21,
    "integer": 23,
    "text": 25,
    "real": 700,
    "double precision": 701,
    "boolean": 16,
    "bytea": 17,
    "character": 1042,
    "character varying": 1043,
    "date": 1082,
    "time without time zone": 1083,
    "timestamp without time zone": 1114,
    "timestamp with time zone": 1184,
    "interval": 1186,
    "numeric": 1700,
    "uuid": 2950,
}


def text_parsers(conn, columns):
    """One function per column turning COPY text into the Python value psycopg2 would have returned.

    json/jsonb stay text (they are selected as text from the databases too); types psycopg2 does not
    cast (and any not in the table above) stay text as well, exactly as a database read returns them.
    """
    import psycopg2.extensions

    cur = conn.cursor()  # the typecasters take a cursor (time zone factory); never executed
    parsers = []
    for column in columns:
        base = base_type(column.get("type"))
        caster = None
        if not rc.is_json_type(base) and base in _TYPE_OIDS:
            caster = psycopg2.extensions.string_types.get(_TYPE_OIDS[base])
        parsers.append((lambda text, c=caster: c(text, cur)) if caster is not None else None)
    return parsers


def _typed_row(fields, parsers):
    if len(fields) != len(parsers):
        raise ValueError(f"a row of {len(fields)} fields where the manifest lists {len(parsers)} columns")
    return [
        value if value is None or parse is None else parse(value)
        for value, parse in zip(fields, parsers)  # noqa: B905 - hosts with Python < 3.10
    ]


def file_batches(path, shape, parsers, batch_rows, work_dir=None):
    """Batches [(key, canonical_row)] of a COPY text file in primary-key order, by an external merge sort.

    The file is read in runs of ``batch_rows`` rows; each run is sorted and written to a private
    temporary file, and the runs are merged with heapq.merge (one row per run in memory).
    """
    keyed = shape.keyed
    run_dir = tempfile.mkdtemp(prefix="airflow-ops-verify-", dir=work_dir)  # mode 0700
    runs = []
    try:
        with open(path, encoding="utf-8", newline="\n") as handle:
            run = []
            for line in handle:
                if line == "\\.\n":
                    break
                run.append(keyed(_typed_row(parse_copy_line(line), parsers)))
                if len(run) >= batch_rows:
                    runs.append(_write_run(run_dir, len(runs), run))
                    run = []
            if run:
                runs.append(_write_run(run_dir, len(runs), run))
            del run
        streams = [_read_run(run_path) for run_path in runs]
        batch = []
        for item in heapq.merge(*streams, key=lambda pair: pair[0]):
            batch.append(item)
            if len(batch) >= batch_rows:
                yield batch
                batch = []
        if batch:
            yield batch
    finally:
        for run_path in runs:
            with contextlib.suppress(OSError):
                os.unlink(run_path)
        os.rmdir(run_dir)


def _write_run(run_dir, index, run):
    run.sort(key=lambda pair: pair[0])
    path = os.path.join(run_dir, f"run-{index}.pickle")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
        for pair in run:
            pickler.dump(pair)
    return path


def _read_run(path):
    with open(path, "rb") as handle:
        unpickler = pickle.Unpickler(handle)  # noqa: S301 - our own run files, in a private 0700 directory
        while True:
            try:
                yield unpickler.load()
            except EOFError:
                return


def rows_by_keys(conn, shape, keys):
    """{key: canonical_row} of the rows with these primary keys (in queries of a few hundred keys)."""
    from psycopg2 import sql

    found = {}
    key_list = sql.SQL(", ").join(sql.Identifier(k) for k in shape.primary_key)
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start : start + _KEYS_PER_QUERY]
        query = sql.SQL("SELECT {} FROM {}.{} WHERE ({}) IN ({})").format(
            _select_list(shape),
            sql.Identifier(shape.schema),
            sql.Identifier(shape.name),
            key_list,
            sql.SQL(", ").join(sql.Placeholder() for _key in chunk),
        )
        with conn.cursor() as cur:
            cur.execute(query, [tuple(k) for k in chunk])
            for row in cur.fetchall():
                key, canonical = shape.keyed(row)
                found[key] = canonical
    return found


def recheck(source_conn, target_conn, shape, diff, delay, sleep=time.sleep):
    """Re-read the differing rows from both sides after ``delay`` seconds, each in a fresh snapshot.

    Rows that now compare equal were being written while the first pass read them: they are dropped
    from the counts. Returns a new TableDiff with what still differs (``overflow`` rows, beyond the
    re-check limit, are carried over as they were).
    """
    sleep(delay)
    keys = [key for _kind, key in diff.held]
    found = {}
    for side, conn in (("expected", source_conn), ("actual", target_conn)):
        conn.rollback()
        found[side] = rows_by_keys(conn, shape, keys)
        conn.rollback()
    result = TableDiff(diff.report_keys, diff.recheck_limit)
    result.expected_rows, result.actual_rows = diff.expected_rows, diff.actual_rows
    result.max_rows_held = diff.max_rows_held
    for key in keys:
        expected, actual = found["expected"].get(key), found["actual"].get(key)
        if expected is None and actual is None:
            continue  # deleted on both sides since
        if actual is None:
            result.add("missing", key)
        elif expected is None:
            result.add("extraneous", key)
        elif expected != actual:
            result.add("mismatched", key)
    for kind, count in diff.overflow.items():  # beyond the limit: counted as the first pass saw them
        result.counts[kind] += count
        result.overflow[kind] = count
    return result
