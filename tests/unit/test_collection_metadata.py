"""Collection-wide metadata that must agree across files (issue 15: licences disagreed, host keys unchecked).

Proves: every role's galaxy_info names the collection's licence, and the project's ansible.cfg (which AWX
applies to a project) does not turn SSH host key checking off. Does not prove the licence text itself.
"""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
ROLE_METAS = sorted(REPO_ROOT.glob("roles/*/meta/main.yml"))


def collection_licences():
    return yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())["license"]


@pytest.mark.parametrize("meta", ROLE_METAS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_role_carries_the_collection_licence(meta):
    role_licence = yaml.safe_load(meta.read_text())["galaxy_info"]["license"]
    assert role_licence in collection_licences()


def test_the_project_ansible_cfg_keeps_host_key_checking_on():
    config = configparser.ConfigParser()
    config.read(REPO_ROOT / "ansible.cfg")
    assert config.getboolean("defaults", "host_key_checking", fallback=True)
