"""Find every runtime place where an installed Airflow branches on the database dialect's name.

Airflow knows three dialect names: ``postgresql``, ``mysql`` and ``sqlite``. sqlalchemy-cockroachdb's
dialect is named ``cockroachdb``, so every branch on the name sends CockroachDB down a fallback path
(or into a ``ValueError``). This script lists those places with Python's ``ast`` module (a text search
misses walrus assignments, ``in (...)`` tests and names that only hold the dialect name), so that a
new Airflow release shows its new branches instead of breaking users silently.

A place is found when:
- a comparison (``==``, ``!=``, ``in``, ``not in``) has a dialect name literal (or a collection of
  them) on one side and, on the other, ``<x>.dialect.name``, ``get_dialect_name(...)``, or a name that
  holds one of those (assigned in the same function, or a parameter called ``dialect``/``dialect_name``);
- a decorator ``@compiles(Element, "<dialect>")`` registers a dialect-specific compiler;
- a call passes ``dialect_name="<dialect>"`` (hints) or ``make_dialect_kwarg("<dialect>")``;
- a ``match`` on a dialect expression has a ``case "<dialect>":``;
- a dict literal has two or more dialect names as keys (a dispatch table).

Migrations (``airflow/migrations``) are left out: they run only in ``airflow db migrate``, which cannot
run on CockroachDB (the supported route migrates on PostgreSQL and copies). Providers
(``airflow/providers``) are left out unless asked, except those that keep tables in the metadata
database (``METASTORE_PROVIDERS``: FAB, the auth manager of Airflow 2 and optional on 3): the others'
dialect branches are about the databases their hooks talk to.

Each place gets a stable id that survives unrelated edits: ``file::function::kind::snippet``, where
snippet is the normalized source of the comparison (``ast.unparse``); a repeat of the same snippet in
the same function gets ``#2``, ``#3``. Line numbers are reported but are not part of the id.

CLI:
  python3 scripts/airflow_dialect_audit.py SITE_PACKAGES/airflow               # places as JSON
  python3 scripts/airflow_dialect_audit.py SITE_PACKAGES/airflow --check FILE  # 1 if unclassified/stale
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

DIALECTS = frozenset({"postgresql", "postgres", "mysql", "sqlite", "mssql", "oracle", "mariadb"})
DIALECT_PARAMS = frozenset({"dialect", "dialect_name"})
EXCLUDED_DIRS = ("migrations",)
METASTORE_PROVIDERS = ("fab",)
CLASSES = ("a", "b", "c")


@dataclass(frozen=True)
class Place:
    id: str
    file: str
    function: str
    kind: str
    snippet: str
    line: int
    dialects: tuple[str, ...]


def _dialect_literals(node: ast.AST) -> tuple[str, ...]:
    """The dialect names a literal (or a list/tuple/set of literals) stands for; () if not one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in DIALECTS:
        return (node.value,)
    if isinstance(node, ast.List | ast.Tuple | ast.Set) and node.elts:
        names = [_dialect_literals(elt) for elt in node.elts]
        if all(names):
            return tuple(n for group in names for n in group)
    return ()


def _is_dialect_source(node: ast.AST) -> bool:
    """``x.dialect.name``, ``dialect.name`` or ``get_dialect_name(...)``."""
    if isinstance(node, ast.Attribute) and node.attr == "name":
        inner = node.value
        return (isinstance(inner, ast.Attribute) and inner.attr == "dialect") or (
            isinstance(inner, ast.Name) and inner.id == "dialect"
        )
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        return name == "get_dialect_name"
    return False


def _tainted_names(func: ast.AST) -> set[str]:
    """Names that hold a dialect name inside one function: assigned from a source, or parameters."""
    names: set[str] = set()
    if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        names |= {a.arg for a in [*func.args.args, *func.args.kwonlyargs] if a.arg in DIALECT_PARAMS}
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and _is_dialect_source(node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif (
            isinstance(node, ast.NamedExpr | ast.AnnAssign)
            and node.value is not None
            and _is_dialect_source(node.value)
            and isinstance(node.target, ast.Name)
        ):
            names.add(node.target.id)
    return names


def _is_dialect_expr(node: ast.AST, tainted: set[str]) -> bool:
    if isinstance(node, ast.NamedExpr):
        return _is_dialect_expr(node.value, tainted)
    return _is_dialect_source(node) or (isinstance(node, ast.Name) and node.id in tainted)


def _compare_place(node: ast.Compare, tainted: set[str]) -> tuple[str, ...]:
    operands = [node.left, *node.comparators]
    dialects = tuple(d for op in operands for d in _dialect_literals(op))
    if dialects and any(_is_dialect_expr(op, tainted) for op in operands):
        return dialects
    return ()


def _compiles_place(decorator: ast.AST) -> tuple[str, ...]:
    if not (isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "compiles"):
        return ()
    return tuple(d for arg in decorator.args[1:] for d in _dialect_literals(arg))


def _call_option_place(node: ast.Call) -> tuple[str, ...]:
    found = [
        d
        for kw in node.keywords
        if kw.arg in ("dialect_name", "dialect_names")
        for d in _dialect_literals(kw.value)
    ]
    if getattr(node.func, "id", getattr(node.func, "attr", None)) == "make_dialect_kwarg":
        found += [d for arg in node.args for d in _dialect_literals(arg)]
    return tuple(found)


def _dict_place(node: ast.Dict) -> tuple[str, ...]:
    # Every key a dialect name: a renderer table that merely has a "mysql" entry is not a dispatch.
    keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
    return tuple(keys) if len(keys) >= 2 and all(k in DIALECTS for k in keys) else ()


def _match_places(node: ast.Match, tainted: set[str]) -> list[tuple[ast.AST, tuple[str, ...]]]:
    if not _is_dialect_expr(node.subject, tainted):
        return []
    found = []
    for case in node.cases:
        pattern = case.pattern
        if isinstance(pattern, ast.MatchValue) and _dialect_literals(pattern.value):
            found.append((pattern, _dialect_literals(pattern.value)))
    return found


def _normalize(node: ast.AST) -> str:
    return " ".join(ast.unparse(node).split())


class _Finder(ast.NodeVisitor):
    """Collects (function qualname, kind, node, dialects) for one module."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.tainted: list[set[str]] = [set()]
        self.found: list[tuple[str, str, ast.AST, tuple[str, ...]]] = []

    def _add(self, kind: str, node: ast.AST, dialects: tuple[str, ...]) -> None:
        self.found.append((".".join(self.stack) or "<module>", kind, node, dialects))

    def _scope(self, node: ast.AST, name: str) -> None:
        self.stack.append(name)
        self.tainted.append(self.tainted[-1] | _tainted_names(node))
        self.generic_visit(node)
        self.tainted.pop()
        self.stack.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for decorator in node.decorator_list:
            if dialects := _compiles_place(decorator):
                self.stack.append(node.name)
                self._add("compiles", decorator, dialects)
                self.stack.pop()
        self._scope(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scope(node, node.name)

    def visit_Compare(self, node: ast.Compare) -> None:
        if dialects := _compare_place(node, self.tainted[-1]):
            self._add("compare", node, dialects)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if dialects := _call_option_place(node):
            self._add("dialect_option", node, dialects)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        if dialects := _dict_place(node):
            self._add("dialect_map", node, dialects)
        self.generic_visit(node)

    def visit_Match(self, node: ast.Match) -> None:
        for pattern, dialects in _match_places(node, self.tainted[-1]):
            self._add("match_case", pattern, dialects)
        self.generic_visit(node)


def audit_source(source: str, relpath: str) -> list[Place]:
    """Every dialect-name place in one module's source (``relpath`` names it in the ids)."""
    finder = _Finder()
    finder.visit(ast.parse(source, filename=relpath))
    seen: dict[str, int] = {}
    places = []
    for function, kind, node, dialects in finder.found:
        snippet = _normalize(node)
        base = f"{relpath}::{function}::{kind}::{snippet}"
        seen[base] = seen.get(base, 0) + 1
        place_id = base if seen[base] == 1 else f"{base}#{seen[base]}"
        places.append(Place(place_id, relpath, function, kind, snippet, node.lineno, dialects))
    return places


def iter_modules(root: Path, include_providers: bool = False):
    """(relative path, source) of every runtime module under an installed ``airflow`` package."""
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(part in EXCLUDED_DIRS for part in rel.parts[:-1]):
            continue
        if rel.parts[0] == "providers" and not include_providers and rel.parts[1] not in METASTORE_PROVIDERS:
            continue
        yield rel.as_posix(), path.read_text(encoding="utf-8")


def audit_tree(root: Path, include_providers: bool = False) -> list[Place]:
    return [p for rel, src in iter_modules(root, include_providers) for p in audit_source(src, rel)]


def load_classification(path: Path) -> dict:
    """``{"airflow_version": ..., "places": {id: {"class": a|b|c, ...}}}`` from a YAML file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check(places: list[Place], classification: dict) -> dict[str, list[str]]:
    """What the classification misses, what it lists that is gone, and entries without a valid class."""
    known = classification.get("places") or {}
    found = {p.id for p in places}
    return {
        "unclassified": sorted(found - known.keys()),
        "stale": sorted(known.keys() - found),
        "invalid": sorted(k for k, v in known.items() if (v or {}).get("class") not in CLASSES),
    }


def counts(classification: dict) -> dict[str, int]:
    places = classification.get("places") or {}
    return {c: sum(1 for v in places.values() if v.get("class") == c) for c in CLASSES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "airflow_root", type=Path, help="the installed airflow package (site-packages/airflow)"
    )
    parser.add_argument("--check", type=Path, help="classification YAML: exit 1 on unclassified or stale ids")
    parser.add_argument("--include-providers", action="store_true")
    args = parser.parse_args(argv)
    places = audit_tree(args.airflow_root, args.include_providers)
    if not args.check:
        json.dump([asdict(p) for p in places], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    classification = load_classification(args.check)
    problems = check(places, classification)
    for kind, ids in problems.items():
        for place_id in ids:
            print(f"{kind}: {place_id}")
    print(json.dumps({"places": len(places), **counts(classification)}))
    return 1 if any(problems.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
