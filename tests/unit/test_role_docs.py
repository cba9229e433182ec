"""scripts/role_docs.py: each role README's variables table comes from its meta/argument_specs.yml.

Runs the real script (as CI's `make docs-check` does) on a small role written here and on this repository.
Proves: the table is generated from the spec (default from the spec, else defaults/main.yml, else
"required"), a stale README fails --check with its diff and is left unchanged, a spec default that
contradicts defaults/main.yml is an error, and every README in roles/ is current. Does not judge the
descriptions' wording.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "role_docs.py"
BEGIN = "<!-- BEGIN generated from meta/argument_specs.yml by scripts/role_docs.py -->"
END = "<!-- END generated from meta/argument_specs.yml -->"
SPEC = {
    "argument_specs": {
        "main": {
            "short_description": "A small role",
            "options": {
                "demo_port": {"type": "int", "default": 8080, "description": "Port it listens on."},
                "demo_dir": {
                    "type": "str",
                    "description": ["Where it lives,", "see C(demo_port) | the docs."],
                },
                "demo_password": {
                    "type": "str",
                    "required": True,
                    "no_log": True,
                    "description": "Its password.",
                },
                "demo_state": {
                    "type": "str",
                    "choices": ["present", "latest"],
                    "description": "Package state.",
                },
            },
        }
    }
}


def make_role(tmp_path, defaults=None):
    role = tmp_path / "roles" / "demo"
    (role / "meta").mkdir(parents=True)
    (role / "defaults").mkdir()
    (role / "meta" / "argument_specs.yml").write_text(yaml.safe_dump(SPEC, sort_keys=False))
    defaults = {"demo_port": 8080, "demo_dir": "{{ demo_home }}/x", "demo_state": "present"} | (
        defaults or {}
    )
    (role / "defaults" / "main.yml").write_text(yaml.safe_dump(defaults))
    (role / "README.md").write_text(
        f"# demo\n\n## Variables\n\n{BEGIN}\n| old | table |\n{END}\n\nMore text.\n"
    )
    return role


def role_docs(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False)


def test_the_table_is_generated_from_the_spec_between_the_markers(tmp_path):
    role = make_role(tmp_path)
    assert role_docs("--roles-dir", str(tmp_path / "roles")).returncode == 0
    assert (role / "README.md").read_text() == (
        "# demo\n\n## Variables\n\n"
        f"{BEGIN}\n"
        "| Variable | Default | Meaning |\n"
        "|---|---|---|\n"
        "| `demo_port` | `8080` | Port it listens on. |\n"
        "| `demo_dir` | `{{ demo_home }}/x` | Where it lives, see `demo_port` \\| the docs. |\n"
        "| `demo_password` | required | Its password. Never logged (no_log). |\n"
        "| `demo_state` | `present` | Package state. One of `present`, `latest`. |\n"
        f"{END}\n\nMore text.\n"
    )
    assert role_docs("--check", "--roles-dir", str(tmp_path / "roles")).returncode == 0


def test_a_stale_readme_fails_the_check_with_its_diff_and_is_not_written(tmp_path):
    role = make_role(tmp_path)
    role_docs("--roles-dir", str(tmp_path / "roles"))
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
    spec["argument_specs"]["main"]["options"]["demo_port"]["description"] = "Port it now listens on."
    (role / "meta" / "argument_specs.yml").write_text(yaml.safe_dump(spec, sort_keys=False))
    before = (role / "README.md").read_text()
    result = role_docs("--check", "--roles-dir", str(tmp_path / "roles"))
    assert result.returncode == 1
    assert "-| `demo_port` | `8080` | Port it listens on. |" in result.stdout
    assert "+| `demo_port` | `8080` | Port it now listens on. |" in result.stdout
    assert (role / "README.md").read_text() == before


def test_a_spec_default_that_contradicts_the_role_default_is_an_error(tmp_path):
    make_role(tmp_path, defaults={"demo_port": 9090})
    result = role_docs("--check", "--roles-dir", str(tmp_path / "roles"))
    assert result.returncode == 2
    assert "demo_port: the spec's default 8080 is not defaults/main.yml's 9090" in result.stderr


def test_a_readme_without_markers_is_an_error_that_names_them(tmp_path):
    role = make_role(tmp_path)
    (role / "README.md").write_text("# demo\n")
    result = role_docs("--check", "--roles-dir", str(tmp_path / "roles"))
    assert result.returncode == 2
    assert BEGIN in result.stderr


def test_the_repositorys_readmes_are_current():
    roles = sorted(p for p in (REPO / "roles").iterdir() if p.is_dir())
    assert [r.name for r in roles if BEGIN not in (r / "README.md").read_text()] == []
    result = role_docs("--check")
    assert result.returncode == 0, result.stdout + result.stderr
