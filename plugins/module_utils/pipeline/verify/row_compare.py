# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Row-level comparison of two copies of a table, in primary-key order, with memory bounded by a batch size.

Both sides are read in primary-key order in batches (a server-side cursor on a database, an external
sort of a dump's COPY file). Each round cuts both buffers at the smaller of their last keys, so the two
chunks cover the same key range, and compares the chunks as whole lists of canonical rows (one C-level
list comparison). Only a chunk that differs is walked key by key, which names its rows as missing (on the
expected side only), mismatched (both sides, other content) or extraneous (on the actual side only).
Each side never holds more than one batch of rows.

Rows are read as the text of every column (``col::text``; the sessions print timestamps in UTC, bytea
as hex and floats exactly where the engine lets that be set) and compared as text first. A text parses to
exactly one value, so equal texts are equal content, and the common case costs neither parsing nor
hashing: the chunks themselves are compared, so equal chunks cannot hide a difference behind a collision.
Only a row whose texts differ from the other side's is parsed with psycopg2's own typecasters (what a
typed read would have returned) and compared in canonical form (``TableShape.same_content``), so that a
difference in printing alone is not reported. In that form only the columns whose Python value can differ
between PostgreSQL and CockroachDB for equal content are converted (decided once per column from its
declared type):

- json/jsonb (CockroachDB's JSONB reorders keys and drops spacing): parsed with exact numbers and
  re-serialised with sorted keys (``row_checksum.canonical_json``);
- double precision/real: the float itself (NaN, which is not equal to itself, becomes the text ``NaN``);
- uuid: its lower-case text (a str, or a UUID where a program registered psycopg2's uuid type);
- any type outside those listed here: ``row_checksum.canonical_value``'s tagged text.

Everything else is compared as parsed, because Python's equality of those values already ignores how the
server printed them: integers (INT4 or CockroachDB's INT8: both int), booleans (``t`` or ``true``), text
and varchar (str); timestamps with time zone (aware datetimes compare by instant, whatever the offset
printed; an aware value never equals a naive one); timestamps without time zone; bytea (compared by
content, whether it was printed as hex or in the escape format).

Text primary keys are ordered bytewise on both sides (``COLLATE "C"`` on a PostgreSQL database whose
collation is not C; CockroachDB orders STRING bytewise), which is the order of Python's str comparison.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import math
import os
import pickle
import re
import tempfile
import time

from ansible_collections.airflow_ops.metastore.plugins.module_utils import catalog
from ansible_collections.airflow_ops.metastore.plugins.module_utils.pipeline import row_checksum as rc

DEFAULT_BATCH_ROWS = 5000
DEFAULT_REPORT_KEYS = 20
# Differing keys kept per table for the live re-check (beyond them the rows are counted, not re-checked).
DEFAULT_RECHECK_LIMIT = 10000
_KEYS_PER_QUERY = 500

_INTEGER_TYPES = {"smallint", "integer", "bigint", "int", "int2", "int4", "int8"}
_TEXT_TYPES = {"text", "character varying", "varchar", "character", "char", "string", "name", "citext"}
_TIMESTAMP_TYPES = {"timestamp with time zone", "timestamptz", "timestamp without time zone", "timestamp"}
_UNCHANGED_TYPES = _INTEGER_TYPES | _TEXT_TYPES | _TIMESTAMP_TYPES | {"boolean", "bool", "bytea", "bytes"}


def base_type(type_name):
    """'character varying(250)' -> 'character varying'; arrays keep their '[]'."""
    text = (type_name or "").strip().lower()
    array = text.endswith("[]")
    text = re.sub(r"\(.*?\)", "", text.rstrip("[]")).strip()
    return text + ("[]" if array else "")


def _float(value):
    return "NaN" if math.isnan(value) else value


def _uuid(value):
    return str(value).lower()


def _other(value):
    return rc.canonical_value(value)


_CONVERTERS = {
    "json": rc.canonical_json,
    "jsonb": rc.canonical_json,
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


def _diff_chunk(exp_keys, exp_rows, act_keys, act_rows, diff, same):
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
            if exp_rows[i] != act_rows[j] and not (same and same(exp_rows[i], act_rows[j])):
                diff.add("mismatched", exp_keys[i])
            i += 1
            j += 1


def compare_sorted(expected, actual, diff, same=None):
    """Compare two iterators of batches [(key, row)] sorted by key; fill ``diff``.

    Each round cuts both buffers at the smaller last key, compares the two chunks (same key range) as
    lists and walks them key by key only when they differ. A side is refilled only when its buffer is
    empty, so neither side ever holds more than one batch. Two rows of one key that are not equal are
    passed to ``same(expected_row, actual_row)`` (TableShape.same_content) before they count as mismatched.
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
            _diff_chunk(exp_keys[:i], exp_rows[:i], act_keys[:j], act_rows[:j], diff, same)
        exp_keys, exp_rows = exp_keys[i:], exp_rows[i:]
        act_keys, act_rows = act_keys[j:], act_rows[j:]


def _refill(batches):
    batch = next(batches, None)
    if not batch:
        return [], [], True
    return [k for k, _r in batch], [r for _k, r in batch], False


class TableShape:
    """What the comparison needs to know of a table: columns in order, primary key, converters.

    Rows are read as the text of every column (``col::text``, in sessions set up by prepare_session) and
    compared as text first: a text parses to exactly one value, so equal texts are equal content and the
    common case costs no parsing at all. Only rows whose texts differ are parsed with psycopg2's
    typecasters (as a typed read would have parsed them) and compared in canonical form (same_content),
    so a difference in printing alone (JSONB layout, ``t``/``true``, another offset) is not a difference.
    """

    def __init__(self, schema, name, columns, primary_key):
        self.schema = schema
        self.name = name
        self.columns = list(columns)
        names = [c["name"] for c in self.columns]
        self.primary_key = list(primary_key or [])
        self.key_indexes = tuple(names.index(k) for k in self.primary_key)
        self.key_types = [base_type(self.columns[i].get("type")) for i in self.key_indexes]
        self.converters = row_converters(self.columns)
        self.parsers = None

    def bind(self, conn):
        """Take the typecasters (they need a cursor of a real connection) before comparing."""
        self.parsers = text_parsers(conn, self.columns)
        return self

    def canonical(self, texts):
        return canonical_row(_typed_row(texts, self.parsers), self.converters)

    def same_content(self, expected, actual):
        return expected == actual or self.canonical(expected) == self.canonical(actual)

    def key_of_texts(self, texts):
        """The typed primary key of a row of texts (a dump's COPY line), as a database read returns it."""
        key = []
        for index in self.key_indexes:
            text, parse = texts[index], self.parsers[index]
            key.append(text if text is None or parse is None else parse(text))
        return tuple(key)


def session_is_cockroachdb(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT version()")
        return catalog.is_cockroachdb_version(cur.fetchone()[0])


# libc collations that order text by code point, which for UTF-8 is byte order (glibc's C.UTF-8 is
# "strict code point sorting"). With any other, text keys are ordered with COLLATE "C" on the server.
_BYTEWISE_COLLATIONS = ("C", "POSIX", "C.UTF-8", "C.utf8")


def needs_c_collation(conn):
    """True on a PostgreSQL database whose text does not already sort bytewise.

    A walk in another order than Python's str order would pair the wrong keys: rows that are equal could
    be reported as missing and extraneous (never the other way round: a key is only paired with an equal
    key, so a real difference is always reported).
    """
    if session_is_cockroachdb(conn):
        return False
    with conn.cursor() as cur:
        # datlocprovider exists from PostgreSQL 15 on ('c' libc, 'i' ICU, 'b' builtin); read it via jsonb
        # so that older servers (libc only) answer too.
        cur.execute(
            "SELECT d.datcollate, pg_catalog.to_jsonb(d) ->> 'datlocprovider' FROM pg_catalog.pg_database d"
            " WHERE d.datname = pg_catalog.current_database()"
        )
        collate, provider = cur.fetchone()
    return provider not in (None, "c") or collate not in _BYTEWISE_COLLATIONS


def prepare_session(conn):
    """The same printing on both sides where the engines let it be set, so that texts mostly compare equal.

    UTC for timestamps with time zone, hex bytea, floats exact (PostgreSQL < 12 rounds to 15 digits
    unless told). Nothing depends on these for correctness: rows whose texts differ are compared parsed.
    """
    with conn.cursor() as cur:
        for statement in ("SET TIME ZONE 'UTC'", "SET bytea_output = 'hex'", "SET extra_float_digits = 3"):
            cur.execute(statement)


_ALIAS = "airflow_ops_row"


def _select_list(shape):
    """The primary key's columns as they are (typed, in the server's order), then every column as text."""
    from psycopg2 import sql

    keys = [sql.SQL("{}.{}").format(sql.Identifier(_ALIAS), sql.Identifier(k)) for k in shape.primary_key]
    texts = [
        sql.SQL("{}.{}::text").format(sql.Identifier(_ALIAS), sql.Identifier(c["name"]))
        for c in shape.columns
    ]
    return sql.SQL(", ").join(keys + texts)


def _from(shape):
    from psycopg2 import sql

    return sql.SQL("{}.{} AS {}").format(
        sql.Identifier(shape.schema), sql.Identifier(shape.name), sql.Identifier(_ALIAS)
    )


def _order_by(shape, c_collation):
    from psycopg2 import sql

    parts = []
    for key, key_type in zip(shape.primary_key, shape.key_types):  # noqa: B905 - hosts with Python < 3.10
        ident = sql.SQL("{}.{}").format(sql.Identifier(_ALIAS), sql.Identifier(key))
        if c_collation and key_type in _TEXT_TYPES:
            ident = sql.SQL('{} COLLATE "C"').format(ident)
        parts.append(ident)
    return sql.SQL(", ").join(parts)


def database_batches(conn, shape, batch_rows, c_collation, cursor_name):
    """Batches [(key, texts)] of a table in primary-key order through a server-side cursor."""
    from psycopg2 import sql

    query = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
        _select_list(shape), _from(shape), _order_by(shape, c_collation)
    )
    width = len(shape.primary_key)
    with conn.cursor(name=cursor_name) as cur:
        cur.itersize = batch_rows
        cur.execute(query)
        while True:
            rows = cur.fetchmany(batch_rows)
            if not rows:
                return
            yield [(row[:width], row[width:]) for row in rows]


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


def file_batches(path, shape, batch_rows, work_dir=None):
    """Batches [(key, texts)] of a COPY text file in primary-key order, by an external merge sort.

    The file is read in runs of ``batch_rows`` rows; each run is sorted and written to a private
    temporary file, and the runs are merged with heapq.merge (one row per run in memory).
    """
    key_of = shape.key_of_texts
    width = len(shape.columns)
    run_dir = tempfile.mkdtemp(prefix="airflow-ops-verify-", dir=work_dir)  # mode 0700
    runs = []
    try:
        with open(path, encoding="utf-8", newline="\n") as handle:
            run = []
            for line in handle:
                if line == "\\.\n":
                    break
                texts = tuple(parse_copy_line(line))
                if len(texts) != width:
                    raise ValueError(
                        f"{path}: a row of {len(texts)} fields where the manifest lists {width} columns"
                    )
                run.append((key_of(texts), texts))
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
    """{key: texts} of the rows with these primary keys (in queries of a few hundred keys)."""
    from psycopg2 import sql

    found = {}
    key_list = sql.SQL(", ").join(
        sql.SQL("{}.{}").format(sql.Identifier(_ALIAS), sql.Identifier(k)) for k in shape.primary_key
    )
    width = len(shape.primary_key)
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start : start + _KEYS_PER_QUERY]
        query = sql.SQL("SELECT {} FROM {} WHERE ({}) IN ({})").format(
            _select_list(shape),
            _from(shape),
            key_list,
            sql.SQL(", ").join(sql.Placeholder() for _key in chunk),
        )
        with conn.cursor() as cur:
            cur.execute(query, [tuple(k) for k in chunk])
            for row in cur.fetchall():
                found[row[:width]] = row[width:]
    return found


def compare_keys(source_conn, target_conn, shape, keys, diff):
    """Read the rows of ``keys`` from both sides (each connection as it is) and add what differs to ``diff``.

    A key on neither side is not a difference (deleted on both since it was listed).
    """
    found = []
    for conn in (source_conn, target_conn):
        prepare_session(conn)
        found.append(rows_by_keys(conn, shape, keys))
    for key in keys:
        expected, actual = found[0].get(key), found[1].get(key)
        if expected is None and actual is None:
            continue
        if actual is None:
            diff.add("missing", key)
        elif expected is None:
            diff.add("extraneous", key)
        elif not shape.same_content(expected, actual):
            diff.add("mismatched", key)
    return diff


def recheck(source_conn, target_conn, shape, diff, delay, sleep=time.sleep):
    """Re-read the differing rows from both sides after ``delay`` seconds, each in a fresh snapshot.

    Rows that now compare equal were being written while the first pass read them: they are dropped
    from the counts. Returns a new TableDiff with what still differs (``overflow`` rows, beyond the
    re-check limit, are carried over as they were).
    """
    sleep(delay)
    for conn in (source_conn, target_conn):
        conn.rollback()
    result = TableDiff(diff.report_keys, diff.recheck_limit)
    result.expected_rows, result.actual_rows = diff.expected_rows, diff.actual_rows
    result.max_rows_held = diff.max_rows_held
    compare_keys(source_conn, target_conn, shape, [key for _kind, key in diff.held], result)
    for conn in (source_conn, target_conn):
        conn.rollback()
    for kind, count in diff.overflow.items():  # beyond the limit: counted as the first pass saw them
        result.counts[kind] += count
        result.overflow[kind] = count
    return result
