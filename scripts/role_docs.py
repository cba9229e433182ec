"""Write each role README's variables table from the role's meta/argument_specs.yml (the one home).

For every role under roles/, the README holds the generated part between two marker lines:

    <!-- BEGIN generated from meta/argument_specs.yml by scripts/role_docs.py -->
    <!-- END generated from meta/argument_specs.yml -->

One table (Variable | Default | Meaning) per entry point, headed by the entry point's name when the role
has several. The default is the spec's ``default``, else the value in defaults/main.yml, else "required"
when the spec says so; a spec default that differs from defaults/main.yml is an error (fix the spec: the
role's default is the one Ansible uses). ``--check`` writes nothing and exits 1, printing the diff, when a
README is not what this script would write. Exit 2 on an error in the input.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

import yaml

BEGIN = "<!-- BEGIN generated from meta/argument_specs.yml by scripts/role_docs.py -->"
END = "<!-- END generated from meta/argument_specs.yml -->"
ROLES = Path(__file__).resolve().parents[1] / "roles"
# Ansible's documentation markup: C(code), V(value), O(option), I(italic), B(bold), U(url), M(module).
_MARKUP = {"C": "`{}`", "V": "`{}`", "O": "`{}`", "M": "`{}`", "I": "*{}*", "B": "**{}**", "U": "{}"}
_MARKUP_RE = re.compile(r"\b([CVOMIBU])\(([^()]*(?:\([^()]*\)[^()]*)*)\)")


class RoleDocsError(Exception):
    """The specs cannot be turned into tables; the message says what to fix."""


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _markdown(description):
    text = " ".join(description) if isinstance(description, list) else str(description or "")
    return _MARKUP_RE.sub(lambda m: _MARKUP[m.group(1)].format(m.group(2)), " ".join(text.split()))


def _meaning(option):
    """The description, plus the choices and no_log when it does not say them already."""
    meaning = _markdown(option.get("description", ""))
    choices = option.get("choices") or []
    if choices and not all(str(c) in meaning for c in choices):
        meaning += " One of " + ", ".join(f"`{c}`" for c in choices) + "."
    if option.get("no_log") and "never logged" not in meaning.lower():
        meaning += " Never logged (no_log)."
    return meaning


def _literal(value):
    if value == "":
        return "`''`"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}"


def _default(name, option, defaults, where):
    """The Default cell of one option; RoleDocsError when the spec and defaults/main.yml disagree."""
    if "default" in option and name in defaults and option["default"] != defaults[name]:
        raise RoleDocsError(
            f"{where}: {name}: the spec's default {option['default']!r} is not defaults/main.yml's "
            f"{defaults[name]!r}; the role uses defaults/main.yml's: make the spec say the same or drop its "
            "default (and say in its description what the value means)"
        )
    if option.get("required"):
        return "required"
    if "default" in option:
        return _literal(option["default"])
    if name in defaults:
        return _literal(defaults[name])
    return "none"


def tables(role_dir):
    """The generated Markdown (without markers) for one role directory."""
    spec_file = role_dir / "meta" / "argument_specs.yml"
    entry_points = (yaml.safe_load(spec_file.read_text()) or {}).get("argument_specs") or {}
    defaults_file = role_dir / "defaults" / "main.yml"
    defaults = (yaml.safe_load(defaults_file.read_text()) if defaults_file.exists() else None) or {}
    parts = []
    for entry, spec in entry_points.items():
        if len(entry_points) > 1:
            parts.append(f"### Entry point `{entry}`\n\n{_markdown(spec.get('short_description', ''))}\n")
        rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
        for name, option in (spec.get("options") or {}).items():  # the spec's order
            where = f"{spec_file.relative_to(role_dir.parent.parent)} {entry}"
            meaning = _meaning(option)
            rows.append(f"| `{name}` | {_cell(_default(name, option, defaults, where))} | {_cell(meaning)} |")
        parts.append("\n".join(rows) + "\n")
    return "\n".join(parts)


def rendered(readme, generated):
    """The README text with the part between the markers replaced by ``generated``."""
    text = readme.read_text()
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise RoleDocsError(f"{readme}: put the lines {BEGIN!r} and {END!r} once each where the table goes")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{BEGIN}\n{generated}{END}{tail}"


def run(roles_dir, check, out=sys.stdout):
    """Write (or, with check, compare) every role's README; returns the exit status."""
    stale, errors = 0, []
    for role_dir in sorted(p for p in roles_dir.iterdir() if (p / "meta" / "argument_specs.yml").exists()):
        readme = role_dir / "README.md"
        try:
            new = rendered(readme, tables(role_dir))
        except RoleDocsError as exc:
            errors.append(str(exc))
            continue
        old = readme.read_text()
        if new == old:
            continue
        if check:
            stale += 1
            diff = difflib.unified_diff(old.splitlines(True), new.splitlines(True), str(readme), "generated")
            out.writelines(diff)
        else:
            readme.write_text(new)
            print(f"wrote {readme}", file=out)
    if stale:
        print(
            f"{stale} README(s) are not what meta/argument_specs.yml says: run scripts/role_docs.py", file=out
        )
    if errors:
        raise RoleDocsError("\n".join(errors))
    return 1 if stale else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 with the diff when stale")
    parser.add_argument("--roles-dir", type=Path, default=ROLES, help="where the roles are (default: roles/)")
    args = parser.parse_args(argv)
    try:
        return run(args.roles_dir, args.check)
    except RoleDocsError as exc:
        print(f"role_docs: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
