"""Searching the airflow role for an airflow.cfg key's own name finds the line that writes it (issue 16).

Renders the role's airflow.cfg.j2 and airflow.env.j2 through Ansible (tests/unit/test_airflow_cfg.py's
render_text) for every layout the role has (backend x Airflow major x auth manager x api TLS x secrets in
the environment file) and checks that each section and key the role writes stands literally in the
template: ``[section]`` and, below it, ``key = ...`` (airflow.env.j2: ``AIRFLOW__SECTION__KEY=``). Keys an
operator adds through airflow_config_overrides are theirs, so no case sets any. Does not prove the values.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from tests.unit.test_airflow_cfg import inputs, render_text

TEMPLATES = Path(__file__).resolve().parents[2] / "roles" / "airflow" / "templates"
TLS = {"host": "", "port": 8080, "workers": 1, "base_url": "", "tls_cert": "/t.crt", "tls_key": "/t.key"}
CASES = [
    inputs(backend, version, auth_manager=auth, secrets_in_env_file=env, **({"api": TLS} if tls else {}))
    for backend, version, auth, tls, env in itertools.product(
        ("postgresql", "mysql", "cockroachdb"),
        ("2.11.2", "3.3.2"),
        ("simple", "fab"),
        (False, True),
        (False, True),
    )
    if not (version.startswith("2") and auth == "simple")
]


def options(text, option_re):
    """{(section, key)} of an INI text's (or a template's literal) lines."""
    found, section = set(), None
    for line in text.splitlines():
        header = re.match(r"^\[([a-z_]+)\]$", line)
        if header:
            section = header.group(1)
            found.add((section, None))
        elif section is not None and (option := re.match(option_re, line)):
            found.add((section, option.group(1)))
    return found


def written_by_the_role(template):
    return set().union(*(options(render_text(template, case), r"^([a-z_]+) = ") for case in CASES))


def missing_from(template_text, written):
    return sorted(written - options(template_text, r"^([a-z_]+) = "), key=str)


def test_every_airflow_cfg_section_and_key_is_written_literally_in_the_template():
    written = written_by_the_role("airflow.cfg.j2")
    assert ("database", "sql_alchemy_pool_recycle") in written
    assert missing_from((TEMPLATES / "airflow.cfg.j2").read_text(), written) == []


@pytest.mark.parametrize("version", ["2.11.2", "3.3.2"])
def test_every_setting_of_the_environment_file_is_written_literally_in_its_template(version):
    template = (TEMPLATES / "airflow.env.j2").read_text()
    names = set()
    for case in CASES:
        if case["version"] == version:
            names |= set(
                re.findall(r"^(AIRFLOW__[A-Z_]+)=", render_text("airflow.env.j2", case), re.MULTILINE)
            )
    assert "AIRFLOW__CORE__FERNET_KEY" in names
    assert sorted(n for n in names if not re.search(rf"^{n}=", template, re.MULTILINE)) == []
