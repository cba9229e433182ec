# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rewrite a pg_dump schema (pre-data + post-data) for a target, with the rule table.

Pure Python over pglast: no Ansible, no server. ``rewrite_schema`` is what metastore_rewrite runs.
Statements no rule touches keep pg_dump's own text; changed ones are printed from their AST by
pglast. A construct no rule knows fails the rewrite (:class:`UnverifiedConstructs`): the load would
probably stop there, after Airflow was stopped.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from ansible_collections.airflow_ops.metastore.plugins.module_utils.cockroachdb_rules import (
    DEFAULT_TARGET_VERSION,
    MIN_COCKROACHDB_VERSION,
    TARGETS,
    RewriteContext,
    format_version,
    parse_version,
    rules_for,
    rules_not_needed,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.sqlscript import (
    parse_script,
    render_script,
)

OUTPUT_FILES = ("pre-data.sql", "post-data.sql")
REPORT_FILE = "rewrite-report.json"


class UnverifiedConstructs(ValueError):
    """Statements no rule knows for the target: loading them would probably fail. Nothing is written."""

    def __init__(self, constructs: List[str], version):
        self.constructs = list(constructs)
        listed = "\n".join(f"  - {construct}" for construct in self.constructs)
        super().__init__(
            f"{len(self.constructs)} statement(s) use constructs the rule table has not verified for "
            f"CockroachDB {format_version(version)}; the load would probably stop at them, after Airflow "
            f"was stopped, so nothing was written:\n{listed}\n"
            "What to do: if Airflow does not need the object (an extension, index or setting added by "
            "hand on the source), remove it on the source and dump again; otherwise check the construct "
            "on a CockroachDB cluster of that version and add a rule for it, with its source, to "
            "plugins/module_utils/cockroachdb_rules.py."
        )


def resolve_version(target: str, target_version: str | None):
    """The parsed CockroachDB version (default: a current release), ``None`` for PostgreSQL."""
    if target not in TARGETS:
        raise ValueError(f"target {target!r} is not supported: use one of {', '.join(TARGETS)}")
    if target != "cockroachdb":
        return None
    version = parse_version(target_version or DEFAULT_TARGET_VERSION)
    if version < MIN_COCKROACHDB_VERSION:
        raise ValueError(
            f"CockroachDB {format_version(version)} is older than the oldest version this rewrite "
            f"supports ({format_version(MIN_COCKROACHDB_VERSION)}, which first accepts ALTER TABLE ... "
            "OWNER TO and partial indexes): upgrade the cluster or set target_version correctly"
        )
    return version


_DUMP_START = "-- PostgreSQL database dump\n"
_DUMP_END = "-- PostgreSQL database dump complete"


def check_complete(text: str, name: str) -> None:
    """Refuse a pg_dump file that lacks pg_dump's closing comment: it was cut short."""
    if _DUMP_START in text and _DUMP_END not in text:
        raise ValueError(
            f"{name} is incomplete: pg_dump's closing line '{_DUMP_END}' is missing, so the file was "
            "truncated (disk full, interrupted copy?). Dump the source again with metastore_dump."
        )


def _header(target: str, version, owner: str | None, section: str) -> str:
    target_text = target if version is None else f"{target} {format_version(version)}"
    owner_text = f"owner {owner}" if owner else "owner: none (objects belong to the user that loads them)"
    return (
        f"-- {section} rewritten by airflow_ops.metastore.metastore_rewrite\n"
        f"-- for {target_text}; {owner_text}. Rules applied: see rewrite-report.json."
    )


def rewrite_schema(
    pre_sql: str,
    post_sql: str,
    target: str = "cockroachdb",
    target_version: str | None = None,
    owner: str | None = None,
) -> Tuple[str, str, Dict[str, dict], List[str]]:
    """Rewrite pg_dump's pre-data and post-data SQL for ``target``.

    Returns ``(pre_sql, post_sql, report, warnings)``; ``report`` maps each rule that changed
    something to ``{"count", "description", "source"}``; ``warnings`` are notes (harmless, with
    their consequence). Raises :class:`UnverifiedConstructs` when a construct no rule knows is left,
    ``ValueError`` (or ``sqlscript.SqlScriptError``) on bad input, before anything is written.
    """
    version = resolve_version(target, target_version)
    check_complete(pre_sql, "pre-data.sql")
    check_complete(post_sql, "post-data.sql")
    pre, pre_meta = parse_script(pre_sql)
    post, post_meta = parse_script(post_sql)
    ctx = RewriteContext(
        pre=pre, post=post, meta_commands=pre_meta + post_meta, target=target, version=version, owner=owner
    )
    report: Dict[str, dict] = {}
    for rule in rules_for(target, version):
        count = rule.transform(ctx)
        if count:
            report[rule.id] = {"count": count, "description": rule.description, "source": rule.source}
    if ctx.unverified:
        raise UnverifiedConstructs(ctx.unverified, version)
    return (
        render_script(pre, _header(target, version, owner, "pre-data")),
        render_script(post, _header(target, version, owner, "post-data")),
        report,
        ctx.warnings,
    )


def report_document(target: str, target_version: str | None, owner: str | None, report, warnings):
    """The content of rewrite-report.json: deterministic, so an unchanged rewrite rewrites nothing."""
    version = resolve_version(target, target_version)
    return {
        "target": target,
        "target_version": format_version(version),
        "owner": owner,
        "rules_applied": report,
        "rules_not_needed": sorted(rule.id for rule in rules_not_needed(target, version)),
        "warnings": warnings,
    }
