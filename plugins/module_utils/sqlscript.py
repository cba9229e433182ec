# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pg_dump SQL text <-> pglast statements.

pg_dump output mixes SQL with psql meta-commands (``\\restrict KEY``, ``\\unrestrict KEY``,
``\\connect db``) that only psql understands: they are removed here, and reported, so nothing
ever sends them to a server. The SQL that remains is split and parsed by pglast, i.e. by
PostgreSQL's own parser, never by regular expressions.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, List

try:
    from pglast import ast as pg_ast
    from pglast import parser as pg_parser
    from pglast.printers import dml as pg_printers_dml
    from pglast.stream import IndentedStream, RawStream

    HAS_PGLAST = True
    PGLAST_IMPORT_ERROR = None
except ImportError:  # the module reports it with missing_required_lib()
    HAS_PGLAST = False
    PGLAST_IMPORT_ERROR = traceback.format_exc()


class SqlScriptError(ValueError):
    """The SQL text cannot be split or parsed; the message says where and what to fix."""


@dataclass(frozen=True)
class MetaCommand:
    """A psql meta-command line removed from the script."""

    line: int
    command: str
    argument: str


@dataclass
class Script:
    statements: List[str]
    meta_commands: List[MetaCommand]


@dataclass
class Statement:
    """One parsed statement: the original text, its AST, and what rules did to it.

    Rules mutate ``node`` in place (for a CREATE TABLE: append to its ``tableElts``) and set
    ``changed``; a changed statement is printed from its AST by pglast. ``dropped`` statements
    are left out of the output.
    """

    text: str
    node: Any
    changed: bool = False
    dropped: bool = False

    @property
    def kind(self) -> str:
        return type(self.node).__name__


def _meta_command(line: str, number: int) -> MetaCommand:
    word, _sep, rest = line.strip()[1:].partition(" ")
    return MetaCommand(line=number, command=word, argument=rest.strip())


_COMMENT_TOKENS = ("SQL_COMMENT", "C_COMMENT")


def _at_statement_boundary(sql: str) -> bool:
    """True when ``sql`` ends between statements, where psql reads meta-commands.

    pg_dump writes meta-commands on their own line between statements; a backslash line inside
    a statement (in a multi-line string or dollar-quoted body) is SQL and is kept. PostgreSQL's
    own scanner decides: an unterminated literal or comment raises, otherwise the last token
    that is not a comment must be ``;``.
    """
    try:
        tokens = [t for t in pg_parser.scan(sql) if t.name not in _COMMENT_TOKENS]
    except pg_parser.ParseError:
        return False
    return not tokens or tokens[-1].name == "ASCII_59"  # ';'


def strip_meta_commands(text: str) -> Script:
    """Remove psql meta-command lines; return the SQL text (as one statement) and what was removed."""
    kept: List[str] = []
    removed: List[MetaCommand] = []
    since_boundary = 0  # index in ``kept`` of the line after the last meta-command
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("\\") and _at_statement_boundary("\n".join(kept[since_boundary:])):
            removed.append(_meta_command(line, number))
            kept.append("")  # keep line numbers of parse errors true to the file
            since_boundary = len(kept)
        else:
            kept.append(line)
    return Script(statements=["\n".join(kept)], meta_commands=removed)


def _split_sql(sql: str) -> List[str]:
    try:
        return [s.strip() for s in pg_parser.split(sql, with_parser=True) if s.strip()]
    except pg_parser.ParseError as exc:
        location = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        line = sql.encode("utf-8")[:location].count(b"\n") + 1
        raise SqlScriptError(
            f"cannot parse the SQL near line {line}: {exc}. The file must be pg_dump output "
            "(--schema-only); check it was not truncated or hand-edited."
        ) from exc


def split_script(text: str) -> Script:
    """Split pg_dump output into SQL statements (no trailing ``;``) and the meta-commands removed."""
    stripped = strip_meta_commands(text)
    return Script(statements=_split_sql(stripped.statements[0]), meta_commands=stripped.meta_commands)


def split_statements(text: str) -> List[str]:
    """The SQL statements of a pg_dump file, psql meta-commands removed, ready to execute one by one."""
    return split_script(text).statements


def parse_statement(sql: str) -> Statement:
    """Parse exactly one SQL statement."""
    try:
        raw = pg_parser.parse_sql(sql)
    except pg_parser.ParseError as exc:
        raise SqlScriptError(f"cannot parse statement {sql[:80]!r}: {exc}") from exc
    if len(raw) != 1:
        raise SqlScriptError(f"expected one statement, found {len(raw)} in {sql[:80]!r}")
    return Statement(text=sql, node=raw[0].stmt)


def parse_script(text: str):
    """``(statements, meta_commands)`` with each statement parsed into a :class:`Statement`."""
    script = split_script(text)
    return [parse_statement(sql) for sql in script.statements], script.meta_commands


def deparse(node: Any, pretty: bool = False) -> str:
    """SQL text for a pglast node (IndentedStream when ``pretty``)."""
    return (IndentedStream() if pretty else RawStream())(node)


def add_table_elements(statement: Statement, elements) -> None:
    """Append column or constraint nodes to a CREATE TABLE's element list, in the AST.

    The statement is then printed by pglast, so the elements land inside the column list
    whatever follows it (``WITH (...)``, ``PARTITION BY``, ``TABLESPACE``).
    """
    if statement.kind != "CreateStmt":
        raise SqlScriptError(f"not a CREATE TABLE: {statement.text[:80]!r}")
    statement.node.tableElts = (*(statement.node.tableElts or ()), *elements)
    statement.changed = True


def unqualify_catalog_types(node: Any) -> None:
    """Drop the ``pg_catalog.`` that PostgreSQL's parser adds to type names like ``json``.

    pglast prints most built-in types back as pg_dump wrote them (``integer``, ``varchar``), but
    ``json`` comes out as ``pg_catalog.json``, a spelling pg_dump never wrote and no rule checked
    for the target. Unqualified, the name resolves to the same type: pg_catalog is searched first.
    """
    keywords = pg_printers_dml.system_types  # pg_catalog.X names pglast prints as keywords
    for type_name in walk(node):
        if not isinstance(type_name, pg_ast.TypeName) or len(type_name.names or ()) != 2:
            continue
        schema, name = (part.sval for part in type_name.names)
        if schema == "pg_catalog" and f"pg_catalog.{name}" not in keywords:
            type_name.names = (type_name.names[1],)


def render_statement(statement: Statement) -> str:
    """pg_dump's own text for an untouched statement; pglast's print of its AST for a changed one."""
    if not statement.changed:
        return statement.text
    unqualify_catalog_types(statement.node)
    return deparse(statement.node, pretty=statement.kind in ("CreateStmt", "CreateSeqStmt"))


def render_script(statements: List[Statement], header: str | None = None) -> str:
    """SQL text of the statements that are not dropped, one per paragraph, each ending in ``;``."""
    parts = [header.rstrip() + "\n"] if header else []
    parts.extend(render_statement(s) + ";\n" for s in statements if not s.dropped)
    return "\n".join(parts)


def qualified_name(range_var: Any) -> str:
    """``schema.name`` (or ``name``) of a pglast RangeVar, as written."""
    if range_var.schemaname:
        return f"{range_var.schemaname}.{range_var.relname}"
    return range_var.relname


def func_name(func_call: Any) -> str:
    """Last part of a FuncCall's name (``pg_catalog.set_config`` -> ``set_config``)."""
    return func_call.funcname[-1].sval


def walk(node: Any):
    """Every pglast node under ``node`` (itself included), depth first."""
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from walk(item)
        return
    if not HAS_PGLAST or not isinstance(node, pg_ast.Node):
        return
    yield node
    for name in node:
        yield from walk(getattr(node, name))
