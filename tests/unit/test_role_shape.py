"""Every role in roles/ follows the house style of docs/CONTRIBUTING.md ("Roles: the same shape, one prefix
rule"), read from the role files themselves (YAML and templates; README files are not read).

Proves, for each role: tasks/main.yml imports preflight.yml first and statically, and the preflight ends its
refusal with "Nothing was changed."; a task file named literally is imported (import_tasks), include_tasks
is left for computed names and loops; no name uses the old `<role>__` prefix; every variable in
defaults/main.yml is public (`<role>_`) and documented in meta/argument_specs.yml (entry `main`); every
registered result and every name in vars/main.yml is internal (`_<role>_`).
Does not prove: that the tasks behave the same (the Molecule scenarios do), or that a public variable is
used at all. Fails on the tree before the house-style change (include_tasks in main.yml, no preflight.yml
in mysql/postgresql/cockroachdb, `mysql__`, `postgresql__`, `cockroachdb__` names, unprefixed registers).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLES_DIR = REPO / "roles"
ROLES = sorted(p.name for p in ROLES_DIR.iterdir() if (p / "tasks" / "main.yml").is_file())


TASK_KEYS = ("block", "rescue", "always")
INCLUDE = ("ansible.builtin.include_tasks", "include_tasks")
IMPORT = ("ansible.builtin.import_tasks", "import_tasks")


def _load(path: Path):
    return yaml.safe_load(path.read_text()) if path.is_file() else None


def _all_tasks(tasks):
    for task in tasks or []:
        yield task
        for key in TASK_KEYS:
            yield from _all_tasks(task.get(key))


def _task_files(role: str):
    for folder in ("tasks", "handlers"):
        yield from sorted((ROLES_DIR / role / folder).glob("*.yml"))


def _action_arg(task, names):
    for name in names:
        if name in task:
            value = task[name]
            return value.get("file") if isinstance(value, dict) else value
    return None


@pytest.mark.parametrize("role", ROLES)
def test_main_imports_the_preflight_first(role):
    main = _load(ROLES_DIR / role / "tasks" / "main.yml")
    assert main, f"{role}: tasks/main.yml is empty"
    assert _action_arg(main[0], IMPORT) == "preflight.yml", (
        f"{role}: the first task of tasks/main.yml must be `ansible.builtin.import_tasks: preflight.yml`, "
        f"is {main[0]}"
    )
    preflight = (ROLES_DIR / role / "tasks" / "preflight.yml").read_text()
    assert "Nothing was changed." in preflight, f"{role}: the preflight must end 'Nothing was changed.'"


@pytest.mark.parametrize("role", ROLES)
def test_task_files_named_literally_are_imported_statically(role):
    tasks = [task for path in _task_files(role) for task in _all_tasks(_load(path))]
    # A file imported in one place and conditionally included in another: skipped copies of its tasks
    # would overwrite what they registered (the migrate role's move.yml).
    imported = {str(_action_arg(task, IMPORT)) for task in tasks if _action_arg(task, IMPORT) is not None}
    dynamic = []
    for path in _task_files(role):
        for task in _all_tasks(_load(path)):
            target = _action_arg(task, INCLUDE)
            if target is None:
                continue
            computed = "{{" in str(target)
            looped = any(key == "loop" or key.startswith("with_") for key in task)
            also_imported = str(target) in imported and "when" in task
            if not (computed or looped or also_imported):
                dynamic.append(f"{path.name}: include_tasks {target} ({task.get('name')})")
    assert dynamic == [], f"{role}: use ansible.builtin.import_tasks for {dynamic}"


@pytest.mark.parametrize("role", ROLES)
def test_no_name_uses_the_double_underscore_prefix(role):
    pattern = re.compile(rf"\b_?{role}__\w")
    found = []
    for path in sorted((ROLES_DIR / role).rglob("*")):
        if path.is_file() and path.suffix in (".yml", ".yaml", ".j2"):
            text = path.read_text()
            found += [f"{path.relative_to(ROLES_DIR)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == [], f"{role}: `{role}__` names; internal ones are `_{role}_...`: {found}"


@pytest.mark.parametrize("role", ROLES)
def test_every_default_is_public_and_documented_in_the_argument_spec(role):
    defaults = _load(ROLES_DIR / role / "defaults" / "main.yml") or {}
    spec = _load(ROLES_DIR / role / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    unprefixed = [name for name in defaults if not name.startswith(f"{role}_")]
    undocumented = [name for name in defaults if name not in spec]
    assert unprefixed == [], f"{role}: defaults/main.yml names must start with {role}_: {unprefixed}"
    assert undocumented == [], f"{role}: not in meta/argument_specs.yml (main): {undocumented}"


@pytest.mark.parametrize("role", ROLES)
def test_registered_results_and_role_vars_are_internal(role):
    internal = f"_{role}_"
    registered = [
        f"{path.name}: {task['register']}"
        for path in _task_files(role)
        for task in _all_tasks(_load(path))
        if "register" in task and not str(task["register"]).startswith(internal)
    ]
    role_vars = _load(ROLES_DIR / role / "vars" / "main.yml") or {}
    role_vars = [name for name in role_vars if not name.startswith(internal)]
    assert registered == [], f"{role}: registered results must start with {internal}: {registered}"
    assert role_vars == [], f"{role}: vars/main.yml names must start with {internal}: {role_vars}"
