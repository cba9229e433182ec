# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""THE versioned rule table: every difference between a PostgreSQL pg_dump and what a target accepts.

One :class:`Rule` per difference: an id, what it does, the first CockroachDB version that no longer
needs it (``None``: every version), the source of the fact, and the transform over pglast nodes.
Sources cite ``CRDB_CONSTRUCTS.md`` (``#n`` = cockroachdb/cockroach issue or PR, ``RN`` = release
notes). Rules run in table order; each returns how many statements (or expressions) it changed.

Two kinds of finding, kept apart:

- a *note* (``RewriteContext.warn``): a rule did what it is for and the operator should know the
  consequence (an expression index not created, a sequence keeping the loader as owner). The
  rewrite succeeds; notes are reported as warnings.
- an *unverified construct* (``RewriteContext.refuse``): no rule knows it, so loading it would
  probably fail, and it would fail during the load, after Airflow was stopped. The rewrite fails
  (``schema_rewrite.UnverifiedConstructs``) before anything is written. Nothing is ever passed
  through unverified or dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Set, Tuple

from ansible_collections.airflow_ops.metastore.plugins.module_utils.sqlscript import (
    MetaCommand,
    Statement,
    add_table_elements,
    func_name,
    qualified_name,
    walk,
)

try:
    from pglast import ast as pg_ast
    from pglast.enums import AlterTableType, ConstrType, ObjectType, VariableSetKind
except ImportError:  # reported by the module through sqlscript.HAS_PGLAST
    pass

Version = Tuple[int, int, int]

DEFAULT_TARGET_VERSION = "v25.4"
MIN_COCKROACHDB_VERSION: Version = (20, 2, 0)
TARGETS = ("cockroachdb", "postgresql")

_VERSION_RE = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?(?:-[0-9A-Za-z.]+)?\s*$")


def parse_version(text: str) -> Version:
    """``"v23.2.1"`` -> ``(23, 2, 1)``; ``"23.2"`` -> ``(23, 2, 0)``; ``"v22.1.0-rc.1"`` -> ``(22, 1, 0)``."""
    match = _VERSION_RE.match(str(text))
    if not match:
        raise ValueError(
            f"target_version {text!r} is not a CockroachDB version: use the form v25.4 or v23.2.1"
        )
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def format_version(version: Version | None) -> str | None:
    return None if version is None else "v{}.{}.{}".format(*version)


@dataclass
class RewriteContext:
    """What the rules work on: both sections' statements, the target, notes and refusals."""

    pre: List[Statement]
    post: List[Statement]
    meta_commands: List[MetaCommand]
    target: str
    version: Version | None
    owner: str | None
    warnings: List[str] = field(default_factory=list)
    unverified: List[str] = field(default_factory=list)

    def statements(self):
        """Every statement still in the output, pre-data first."""
        return [s for s in self.pre + self.post if not s.dropped]

    def sequences(self) -> Set[str]:
        return {qualified_name(s.node.sequence) for s in self.pre if s.kind == "CreateSeqStmt"}

    def warn(self, statement: Statement, reason: str) -> None:
        """A note: the rewrite goes on, the operator reads the consequence."""
        self.warnings.append(f"{_abbreviate(statement.text)}: {reason}")

    def refuse(self, statement: Statement, reason: str) -> None:
        """An unverified construct: the rewrite fails, so the load never meets it."""
        self.unverified.append(f"{_abbreviate(statement.text)}: {reason}")


def _abbreviate(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    needed_before: Version | None
    source: str
    transform: Callable[[RewriteContext], int]
    targets: Tuple[str, ...] = ("cockroachdb",)

    def needed(self, target: str, version: Version | None) -> bool:
        if target not in self.targets:
            return False
        if target != "cockroachdb" or self.needed_before is None:
            return True
        return version < self.needed_before


# --- helpers over pglast nodes ------------------------------------------------------------------


def _single_cmd(statement: Statement, subtype) -> object | None:
    """The only AlterTableCmd of an ALTER TABLE when it has the given subtype."""
    if statement.kind != "AlterTableStmt" or len(statement.node.cmds) != 1:
        return None
    cmd = statement.node.cmds[0]
    return cmd if cmd.subtype == subtype else None


def _is_owner_change(statement: Statement) -> bool:
    if statement.kind == "AlterOwnerStmt":
        return True
    if statement.kind != "AlterTableStmt":
        return False
    return all(cmd.subtype == AlterTableType.AT_ChangeOwner for cmd in statement.node.cmds)


def _set_value(node) -> str:
    """The value of ``SET name = value`` as pg_dump writes it, lower-cased, ``''`` for empty."""
    values = []
    for arg in node.args or ():
        val = arg.val
        values.append(str(val.sval if hasattr(val, "sval") else getattr(val, "ival", "")))
    return ",".join(values).lower()


# --- transforms --------------------------------------------------------------------------------


_HARMLESS_META_COMMANDS = ("restrict", "unrestrict")


def drop_meta_commands(ctx: RewriteContext) -> int:
    """Already removed by the splitter: counted here, and any that changed meaning is reported."""
    for meta in ctx.meta_commands:
        if meta.command not in _HARMLESS_META_COMMANDS:
            ctx.warnings.append(
                f"psql meta-command \\{meta.command} {meta.argument} (line {meta.line}) removed: "
                "everything is loaded into the one target database; check this is a single-database dump"
            )
    return len(ctx.meta_commands)


def drop_sequence_owner(ctx: RewriteContext) -> int:
    sequences = ctx.sequences()
    count = 0
    for statement in ctx.statements():
        is_table_owner = statement.kind == "AlterTableStmt" and _is_owner_change(statement)
        if is_table_owner and qualified_name(statement.node.relation) in sequences:
            statement.dropped = True
            count += 1
    if count and ctx.owner:
        ctx.warnings.append(
            f"{count} sequence(s) keep the loading user as owner: OWNER TO on sequences needs "
            f"CockroachDB v21.1 or later (target {format_version(ctx.version)})"
        )
    return count


def rewrite_owner(ctx: RewriteContext) -> int:
    """OWNER TO the given role, or dropped when no owner is given (the loading user owns all)."""
    count = 0
    for statement in ctx.statements():
        if not _is_owner_change(statement):
            continue
        if ctx.owner is None:
            statement.dropped = True
            count += 1
            continue
        specs = (
            [statement.node.newowner]
            if statement.kind == "AlterOwnerStmt"
            else [cmd.newowner for cmd in statement.node.cmds]
        )
        if any(spec.rolename != ctx.owner for spec in specs):
            for spec in specs:
                spec.rolename = ctx.owner
            statement.changed = True
            count += 1
    return count


# Session settings in pg_dump's header that CockroachDB accepts only from a version on.
_SETTINGS_FROM_VERSION: Dict[str, Version] = {
    "check_function_bodies": (22, 1, 0),
    "xmloption": (22, 1, 0),
    "default_table_access_method": (22, 1, 0),
}
# Compatibility variables CockroachDB accepts at their default value only.
_SETTINGS_DEFAULT_ONLY: Dict[str, str] = {
    "client_encoding": "utf8",
    "standard_conforming_strings": "on",
    "row_security": "off",
    "default_tablespace": "",
    "lock_timeout": "0",
}
# Settings that only tune the restoring session (not the meaning of the DDL) and that
# CRDB_CONSTRUCTS.md does not confirm for every version: dropped rather than risked.
_SETTINGS_SESSION_ONLY = ("statement_timeout", "idle_in_transaction_session_timeout", "client_min_messages")


def _variable_sets(ctx: RewriteContext):
    for statement in ctx.statements():
        if statement.kind == "VariableSetStmt" and statement.node.kind == VariableSetKind.VAR_SET_VALUE:
            yield statement, statement.node.name.lower(), _set_value(statement.node)


def drop_settings_before_22_1(ctx: RewriteContext) -> int:
    count = 0
    for statement, name, _value in _variable_sets(ctx):
        if name in _SETTINGS_FROM_VERSION and ctx.version < _SETTINGS_FROM_VERSION[name]:
            statement.dropped = True
            count += 1
    return count


def drop_session_only_settings(ctx: RewriteContext) -> int:
    count = 0
    for statement, name, value in _variable_sets(ctx):
        if name in _SETTINGS_SESSION_ONLY:
            statement.dropped = True
            count += 1
        elif name in _SETTINGS_DEFAULT_ONLY and value != _SETTINGS_DEFAULT_ONLY[name]:
            ctx.warn(statement, f"CockroachDB accepts {name} only at its default; dropped")
            statement.dropped = True
            count += 1
    return count


def _is_set_search_path(statement: Statement) -> bool:
    """pg_dump's ``SELECT pg_catalog.set_config('search_path', '', false)``."""
    if statement.kind != "SelectStmt" or len(statement.node.targetList or ()) != 1:
        return False
    call = statement.node.targetList[0].val
    return (
        isinstance(call, pg_ast.FuncCall)
        and func_name(call) == "set_config"
        and bool(call.args)
        and isinstance(call.args[0], pg_ast.A_Const)
        and getattr(call.args[0].val, "sval", None) == "search_path"
    )


def drop_empty_search_path(ctx: RewriteContext) -> int:
    count = 0
    for statement in ctx.statements():
        if _is_set_search_path(statement):
            statement.dropped = True
            count += 1
    return count


def drop_sequence_as_type(ctx: RewriteContext) -> int:
    count = 0
    for statement in ctx.statements():
        if statement.kind not in ("CreateSeqStmt", "AlterSeqStmt"):
            continue
        options = statement.node.options or ()
        kept = tuple(option for option in options if option.defname != "as")
        if len(kept) != len(options):
            statement.node.options = kept or None
            statement.changed = True
            count += 1
    return count


def _regclass_literal(arg) -> object | None:
    if not isinstance(arg, pg_ast.TypeCast) or not isinstance(arg.arg, pg_ast.A_Const):
        return None
    if arg.typeName.names[-1].sval != "regclass" or not hasattr(arg.arg.val, "sval"):
        return None
    return arg.arg


def unwrap_nextval_regclass(ctx: RewriteContext) -> int:
    count = 0
    for statement in ctx.statements():
        for node in walk(statement.node):
            if isinstance(node, pg_ast.FuncCall) and func_name(node) == "nextval" and node.args:
                literal = _regclass_literal(node.args[0])
                if literal is not None:
                    node.args = (literal, *node.args[1:])
                    statement.changed = True
                    count += 1
    return count


def move_primary_keys(ctx: RewriteContext) -> int:
    tables = {qualified_name(s.node.relation): s for s in ctx.pre if s.kind == "CreateStmt"}
    count = 0
    for statement in ctx.post:
        cmd = _single_cmd(statement, AlterTableType.AT_AddConstraint)
        if statement.dropped or cmd is None or cmd.def_.contype != ConstrType.CONSTR_PRIMARY:
            continue
        table = tables.get(qualified_name(statement.node.relation))
        if table is None:
            ctx.warn(statement, "no CREATE TABLE for it in pre-data; primary key left in post-data")
            continue
        add_table_elements(table, [cmd.def_])
        statement.dropped = True
        count += 1
    return count


def drop_alter_table_only(ctx: RewriteContext) -> int:
    count = 0
    for statement in ctx.statements():
        if statement.kind == "AlterTableStmt" and not statement.node.relation.inh:
            statement.node.relation.inh = True
            statement.changed = True
            count += 1
    return count


def drop_expression_indexes(ctx: RewriteContext) -> int:
    count = 0
    for statement in ctx.statements():
        if statement.kind == "IndexStmt" and any(p.expr is not None for p in statement.node.indexParams):
            consequence = (
                "the uniqueness it enforced is NOT enforced (check for duplicates, or upgrade to v21.2+)"
                if statement.node.unique
                else "queries it served will be slower"
            )
            ctx.warn(
                statement,
                "expression indexes need CockroachDB v21.2 or later: index NOT created "
                f"(target {format_version(ctx.version)}); {consequence}",
            )
            statement.dropped = True
            count += 1
    return count


# Extensions whose functions CockroachDB has built in, so the extension itself has nothing to add.
_BUILTIN_EXTENSIONS = ("pgcrypto",)


def drop_builtin_extensions(ctx: RewriteContext) -> int:
    """``CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public`` (left by Airflow's upgrades)."""
    count = 0
    for statement in ctx.statements():
        if statement.kind == "CreateExtensionStmt" and statement.node.extname in _BUILTIN_EXTENSIONS:
            statement.dropped = True
            count += 1
    return count


def drop_comment_on_extension(ctx: RewriteContext) -> int:
    """``COMMENT ON EXTENSION x IS '...'``: no effect on the schema, and CockroachDB rejects it."""
    count = 0
    for statement in ctx.statements():
        if statement.kind == "CommentStmt" and statement.node.objtype == ObjectType.OBJECT_EXTENSION:
            statement.dropped = True
            count += 1
    return count


# PostgreSQL table storage parameters CockroachDB documents as accepted for compatibility only.
_COMPAT_STORAGE_PARAMETERS = ("fillfactor", "autovacuum_enabled")


def drop_storage_parameters_before_22_1(ctx: RewriteContext) -> int:
    """``CREATE TABLE ... WITH (fillfactor = 70)``: no effect on CockroachDB; undocumented before v22.1."""
    count = 0
    for statement in ctx.statements():
        if statement.kind != "CreateStmt" or not statement.node.options:
            continue
        options = statement.node.options
        kept = tuple(o for o in options if _storage_parameter(o) not in _COMPAT_STORAGE_PARAMETERS)
        if len(kept) != len(options):
            statement.node.options = kept or None
            statement.changed = True
            count += 1
    return count


# --- constructs checked against the table, refused otherwise -------------------------------------

_KNOWN_STATEMENTS = {
    "CreateStmt",
    "CreateSeqStmt",
    "AlterSeqStmt",
    "AlterTableStmt",
    "IndexStmt",
    "VariableSetStmt",
    "AlterOwnerStmt",
}
_KNOWN_ALTER_TABLE = {"AT_AddConstraint", "AT_ColumnDefault", "AT_ChangeOwner"}
_KNOWN_CONSTRAINTS = {
    "CONSTR_PRIMARY",
    "CONSTR_FOREIGN",
    "CONSTR_UNIQUE",
    "CONSTR_CHECK",
    "CONSTR_NOTNULL",
    "CONSTR_DEFAULT",
    "CONSTR_NULL",
}
_KNOWN_TYPES = {
    "int2",
    "int4",
    "int8",
    "float4",
    "float8",
    "numeric",
    "bool",
    "varchar",
    "bpchar",
    "text",
    "bytea",
    "json",
    "jsonb",
    "uuid",
    "timestamp",
    "timestamptz",
    "date",
    "time",
    "interval",
    "inet",
}
_KNOWN_INDEX_METHODS = {"btree"}


def _type_name(column) -> str | None:
    return column.typeName.names[-1].sval if column.typeName is not None else None


def _unknown_parts(statement: Statement) -> List[str]:
    if _is_set_search_path(statement):
        return []
    if statement.kind == "SelectStmt":
        return ["a SELECT (only pg_dump's set_config is known)"]
    if statement.kind == "CreateExtensionStmt":
        return [f"extension {statement.node.extname}"]
    if statement.kind not in _KNOWN_STATEMENTS:
        return [f"statement type {statement.kind}"]
    found = []
    for node in walk(statement.node):
        if isinstance(node, pg_ast.AlterTableCmd) and node.subtype.name not in _KNOWN_ALTER_TABLE:
            found.append(f"ALTER TABLE {node.subtype.name[3:]}")
        elif isinstance(node, pg_ast.Constraint) and node.contype.name not in _KNOWN_CONSTRAINTS:
            found.append(f"constraint {node.contype.name[7:]}")
        elif isinstance(node, pg_ast.ColumnDef) and _type_name(node) not in _KNOWN_TYPES:
            found.append(f"column type {_type_name(node)}")
        elif isinstance(node, pg_ast.IndexStmt) and node.accessMethod not in _KNOWN_INDEX_METHODS:
            found.append(f"index method {node.accessMethod}")
        elif isinstance(node, pg_ast.FuncCall) and _schema_of_function(node) not in (None, "pg_catalog"):
            # pg_dump qualifies functions of extensions and user functions (public.digest(...)):
            # neither exists on the target once CREATE EXTENSION / CREATE FUNCTION is gone.
            found.append(f"function {_schema_of_function(node)}.{func_name(node)}")
    found.extend(_unknown_storage_parameters(statement))
    return found


def _schema_of_function(call) -> str | None:
    return call.funcname[0].sval if len(call.funcname) > 1 else None


def _unknown_storage_parameters(statement: Statement) -> List[str]:
    """``WITH (...)`` of a CREATE TABLE beyond the compatibility ones, and any of a CREATE INDEX."""
    if statement.kind == "CreateStmt":
        known = _COMPAT_STORAGE_PARAMETERS
    elif statement.kind == "IndexStmt":
        known = ()
    else:
        return []
    return [
        f"storage parameter {_storage_parameter(option)}"
        for option in statement.node.options or ()
        if _storage_parameter(option) not in known
    ]


def _storage_parameter(option) -> str:
    """``fillfactor``, or ``toast.autovacuum_enabled`` for the TOAST table's own parameters."""
    return f"{option.defnamespace}.{option.defname}" if option.defnamespace else option.defname


def refuse_unverified_constructs(ctx: RewriteContext) -> int:
    """Runs last: whatever no rule removed or rewrote must be a construct the table knows."""
    count = 0
    for statement in ctx.statements():
        unknown = _unknown_parts(statement)
        if statement.kind == "VariableSetStmt":
            name = statement.node.name.lower()
            if name not in _SETTINGS_FROM_VERSION and name not in _SETTINGS_DEFAULT_ONLY:
                unknown.append(f"setting {name}")
        if unknown:
            ctx.refuse(statement, "not verified for CockroachDB: " + ", ".join(unknown))
            count += 1
    return count


RULES: Tuple[Rule, ...] = (
    Rule(
        "psql-meta-commands",
        "psql meta-commands (\\restrict, \\unrestrict, \\connect) removed: only psql understands them",
        None,
        "pg_dump >= 15.14/16.10/17.6 (CVE-2025-8714); cockroach sql rejects them, support merged in "
        "#168737 with no release confirmed (CRDB_CONSTRUCTS.md)",
        drop_meta_commands,
        TARGETS,
    ),
    Rule(
        "session-settings-v22.1",
        "SET check_function_bodies / xmloption / default_table_access_method removed",
        (22, 1, 0),
        "accepted from v22.1: #74828, #74664, RN v22.1.0-alpha.2 (CRDB_CONSTRUCTS.md)",
        drop_settings_before_22_1,
    ),
    Rule(
        "session-only-settings",
        "SET statement_timeout / idle_in_transaction_session_timeout / client_min_messages (restore-"
        "session tuning, no effect on the schema) and compatibility settings at non-default values removed",
        None,
        "CRDB_CONSTRUCTS.md: compatibility variables accepted at defaults only; the others are not "
        "confirmed for every version",
        drop_session_only_settings,
    ),
    Rule(
        "set-config-search-path",
        "SELECT pg_catalog.set_config('search_path', '', false) removed (every name is schema-qualified)",
        (23, 2, 1),
        "errors on v23.1.x and v23.2.0, fixed in v23.2.1: #117316, #117318 (CRDB_CONSTRUCTS.md)",
        drop_empty_search_path,
    ),
    Rule(
        "sequence-as-type",
        "CREATE SEQUENCE ... AS integer: the AS clause removed (the seed's first hand edit)",
        (22, 1, 0),
        "accepted from v22.1: #25110, #57339, RN v22.1.0-alpha.1 (CRDB_CONSTRUCTS.md)",
        drop_sequence_as_type,
    ),
    Rule(
        "sequence-owner-to",
        "ALTER TABLE <sequence> OWNER TO removed (the seed's second hand edit)",
        (21, 1, 0),
        "OWNER TO on sequences from v21.1: RN v21.1.0-alpha.2, #59049 (CRDB_CONSTRUCTS.md)",
        drop_sequence_owner,
    ),
    Rule(
        "owner-to",
        "OWNER TO rewritten to the given owner, or removed when no owner is given",
        None,
        "the source's roles do not exist on the target; CockroachDB needs the role to exist and the "
        "runner to be admin or a member of it (CRDB_CONSTRUCTS.md)",
        rewrite_owner,
        TARGETS,
    ),
    Rule(
        "nextval-regclass",
        "nextval('s'::regclass) -> nextval('s') (the seed's third hand edit)",
        (21, 1, 0),
        "regclass defaults from v21.1: RN v21.1.0-beta.1, #59396, #59864 (CRDB_CONSTRUCTS.md)",
        unwrap_nextval_regclass,
    ),
    Rule(
        "primary-key-in-create-table",
        "ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY moved from post-data into its CREATE TABLE",
        None,
        "a key added later first creates a hidden rowid key, then a schema-change job per table "
        "(CRDB_CONSTRUCTS.md, 'Accepted, but different')",
        move_primary_keys,
    ),
    Rule(
        "alter-table-only",
        "ALTER TABLE ONLY -> ALTER TABLE",
        None,
        "CockroachDB has no table inheritance; ONLY is parsed but meaningless (CRDB_CONSTRUCTS.md; that "
        "it is a no-op is not confirmed, so it is not relied upon)",
        drop_alter_table_only,
    ),
    Rule(
        "expression-index",
        "expression indexes (e.g. lower(username) of FAB's ab_user) removed, with a warning",
        (21, 2, 0),
        "expression indexes from v21.2 (CRDB_CONSTRUCTS.md); no earlier equivalent exists",
        drop_expression_indexes,
    ),
    Rule(
        "pgcrypto-extension",
        "CREATE EXTENSION pgcrypto (left in upgraded metastores by Airflow's own migrations) removed: "
        "CockroachDB has its functions built in",
        None,
        "pg_dump writes CREATE EXTENSION ... WITH SCHEMA; CockroachDB's grammar answers WITH there with "
        "'unimplemented' (#74777: cockroachdb/cockroach pkg/sql/parser/sql.y, create_extension_stmt, in "
        "each grammar checked); without WITH, pkg/sql/create_extension.go accepts pgcrypto only as a "
        "no-op, its functions (gen_random_uuid, digest, ...) being built in",
        drop_builtin_extensions,
    ),
    Rule(
        "comment-on-extension",
        "COMMENT ON EXTENSION removed (a comment, no effect on the schema or data)",
        None,
        "D comment-on.md (v21.2 ... v26.3) lists no extension target (CRDB_CONSTRUCTS.md); "
        "cockroachdb/cockroach pkg/sql/parser/sql.y comment_stmt has 'COMMENT ON EXTENSION error'",
        drop_comment_on_extension,
    ),
    Rule(
        "table-storage-parameters-v22.1",
        "CREATE TABLE ... WITH (fillfactor / autovacuum_enabled) removed: no effect on CockroachDB",
        (22, 1, 0),
        "cockroachdb/docs _includes/v22.1/misc/table-storage-parameters.md: 'included for PostgreSQL "
        "compatibility and do not affect how CockroachDB runs'; the v21.2 docs have no such list",
        drop_storage_parameters_before_22_1,
    ),
    Rule(
        "unverified-constructs",
        "constructs no rule knows: the rewrite fails, naming each one, before anything is written",
        None,
        "the rule table covers Airflow 2.9 ... 3.3 dumps, fresh and upgraded; anything else would probably "
        "stop the load after Airflow was stopped, so a person must check it first",
        refuse_unverified_constructs,
    ),
)


def rules_for(target: str, version: Version | None) -> List[Rule]:
    """The rules needed for ``target`` at ``version`` (``None`` for PostgreSQL), in table order."""
    return [rule for rule in RULES if rule.needed(target, version)]


def rules_not_needed(target: str, version: Version | None) -> List[Rule]:
    return [rule for rule in RULES if target in rule.targets and not rule.needed(target, version)]


# --- Airflow at runtime on CockroachDB: isolation, row-level locking, how many schedulers -------------
#
# One rule, used by the airflow role (airflow.cfg) and the cockroachdb role (the Airflow user's default
# isolation). Sources (REFERENCE.md, CRDB_CONSTRUCTS.md "SKIP LOCKED"):
# - SELECT ... FOR UPDATE SKIP LOCKED exists from v22.2 (RN v22.2.0-alpha.1); without it Airflow needs
#   use_row_level_locking = False, and then supports exactly one scheduler.
# - READ COMMITTED: preview in v23.2 (opt-in cluster setting), on by default from v24.1
#   (cockroachdb/cockroach#118479). SKIP LOCKED with a LIMIT returned wrong rows under it until v24.1.5
#   (cockroachdb/cockroach#121917, fixed by #127718) - the scheduler's critical section is exactly
#   such a query. READ COMMITTED transactions do not return the serialization errors (40001) that
#   SERIALIZABLE ones do under contention, and it is the isolation Airflow is written for (PostgreSQL's
#   default; Airflow sets it itself for MySQL).
# - Under SERIALIZABLE, locks taken by SKIP LOCKED are best-effort and contending writers get 40001.
#   Airflow retries DBAPIError only where a code path uses run_with_db_retries; the scheduler's critical
#   section does not (apache/airflow#69556, unmerged). A second scheduler would contend with the first
#   on the same rows, so below v24.1.5 one scheduler is the rule.
READ_COMMITTED_SINCE: Version = (24, 1, 5)
SKIP_LOCKED_SINCE: Version = (22, 2, 0)
READ_COMMITTED = "READ COMMITTED"
SERIALIZABLE = "SERIALIZABLE"


@dataclass(frozen=True)
class AirflowConcurrency:
    """How Airflow may run against one metadata database."""

    isolation: str | None  # what to ask for; None: leave the backend's (and Airflow's) default
    use_row_level_locking: bool
    max_schedulers: int | None  # None: no limit
    why: str


def airflow_concurrency(
    backend: str, cockroachdb_version: str | None = None, use_row_level_locking: bool | None = None
) -> AirflowConcurrency:
    """The isolation, ``[scheduler] use_row_level_locking`` and scheduler limit for a backend.

    ``cockroachdb_version`` unknown (empty) is read as the oldest supported release: SERIALIZABLE, no
    SKIP LOCKED, one scheduler. ``use_row_level_locking`` given explicitly wins over the rule (False
    still means one scheduler, as Airflow documents).
    """
    if backend != "cockroachdb":
        locking = True if use_row_level_locking is None else use_row_level_locking
        return _with_locking(None, locking, None, "Airflow's own defaults for this backend")
    version = parse_version(cockroachdb_version) if cockroachdb_version else None
    if version is not None and version >= READ_COMMITTED_SINCE:
        locking = True if use_row_level_locking is None else use_row_level_locking
        why = "CockroachDB v24.1.5+: READ COMMITTED (no 40001 under contention), SKIP LOCKED correct"
        return _with_locking(READ_COMMITTED, locking, None, why)
    has_skip_locked = version is not None and version >= SKIP_LOCKED_SINCE
    locking = has_skip_locked if use_row_level_locking is None else use_row_level_locking
    why = (
        "CockroachDB version unknown: read as the oldest supported release (set it to lift limits)"
        if version is None
        else f"CockroachDB {format_version(version)} before v24.1.5: SERIALIZABLE only, and Airflow's "
        "scheduler does not retry 40001 (apache/airflow#69556)"
    )
    if not locking:
        why += "; use_row_level_locking is off" + (
            "" if has_skip_locked else " (no SKIP LOCKED before v22.2)"
        )
    return AirflowConcurrency(SERIALIZABLE, locking, 1, why)


def _with_locking(isolation, locking, max_schedulers, why) -> AirflowConcurrency:
    if not locking:  # Airflow: without row-level locking, exactly one scheduler
        return AirflowConcurrency(isolation, False, 1, why + "; use_row_level_locking is off")
    return AirflowConcurrency(isolation, True, max_schedulers, why)


# --- Applying a change stream (metastore_sync) ----------------------------------------------------------
#
# The applier writes INSERT ... ON CONFLICT (primary key) DO UPDATE and DELETE ... WHERE (primary key) =
# (...), which PostgreSQL and CockroachDB both accept, so those have no rule. One statement differs:
# a replicated TRUNCATE. Source: CockroachDB docs truncate.md (v19.1 ... v26.3): "TRUNCATE is a schema
# change, and as such is not transactional"; it may not share a transaction with the batch's other
# writes and its state row (golang-migrate/migrate#36 replaced it by DELETE FROM for this reason). So on
# CockroachDB a replicated TRUNCATE becomes DELETE FROM each table, inside the batch's transaction.
# Listing the tables explicitly stands in for CASCADE: pgoutput sends every table a CASCADE truncated.
TRUNCATE_AS_DELETE = "truncate-as-delete"


def truncate_form(is_cockroachdb: bool) -> str:
    """``TRUNCATE`` (PostgreSQL, transactional there) or ``DELETE`` (CockroachDB: TRUNCATE is not)."""
    return "DELETE" if is_cockroachdb else "TRUNCATE"


# --- Sequences at the cutover (metastore_sequences, metastore_verify touched_slot) ----------------------
#
# setval(seq, n, is_called) and ``SELECT last_value, is_called FROM seq`` exist on both engines, and
# information_schema.sequences gives the increment on both, so the statements need no rule. The stored
# state does differ: CockroachDB does not store is_called (CRDB_CONSTRUCTS.md, "Accepted, but different":
# "setval('s', N, true): supported; is_called is not stored, result matches PostgreSQL with true"; not
# run on a cluster here, the CockroachDB variant of test_metastore_cutover.py checks it). So a
# (last_value, is_called) pair read back from CockroachDB may differ from PostgreSQL's for the same
# position. Positions are
# therefore compared as the value the next nextval returns, which is the same on both engines (or, if
# CockroachDB reads setval(n, false) as true, one step ahead: a gap, never a reused id).
SEQUENCE_POSITION_AS_NEXT_VALUE = "sequence-position-as-next-value"


def sequence_next_value(last_value: int, is_called: bool, increment: int) -> int:
    """The value the next ``nextval`` returns: ``last_value`` itself until it was handed out."""
    return last_value + increment if is_called else last_value


# --- Copying a CockroachDB metastore back (metastore_dump schema_from; docs/upgrade-on-cockroachdb.md) ----
#
# `airflow db migrate` cannot run on CockroachDB: no released version has the session-level
# pg_advisory_lock Airflow takes (cockroachdb#169981) and migration 0042 fails (apache/airflow#69555). A
# release that moves the Alembic head therefore migrates on PostgreSQL, from a copy of the CockroachDB
# metastore. That copy reads the source with `COPY table (columns) TO STDOUT` in text format, which
# CockroachDB has from v23.1 (cockroachdb#94408 "implement COPY ... TO STDOUT for CSV & TEXT", fixing
# #85571; the v23.1+ COPY docs; v21.2's docs list COPY ... TO as unsupported). Binary COPY TO is not
# implemented (cockroachdb#103542), so text it is, which is what the load reads anyway. Not run against a
# cluster here: test_crdb_upgrade_route.py does with AIRFLOW_OPS_TEST_CRDB_URL.
COPY_TO_SINCE: Version = (23, 1, 0)


def copy_to_problem(server_version_text: str) -> str | None:
    """Why ``COPY ... TO STDOUT`` cannot read this server (None: it can, or it is PostgreSQL)."""
    match = re.search(r"CockroachDB \w+ (v\S+)", server_version_text or "")
    if not match:
        return None
    found = parse_version(match.group(1))
    if found >= COPY_TO_SINCE:
        return None
    return (
        f"this CockroachDB is {format_version(found)} and COPY ... TO STDOUT, which the copy back reads "
        f"its tables with, exists from {format_version(COPY_TO_SINCE)} on (cockroachdb#94408): upgrade the "
        "cluster first, or export the tables with EXPORT INTO CSV yourself"
    )
