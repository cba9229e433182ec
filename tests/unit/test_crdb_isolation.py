"""The one rule for how Airflow runs on CockroachDB: isolation, row-level locking, scheduler count.

``cockroachdb_rules.airflow_concurrency`` decides; the airflow role writes its isolation into
``[database] sql_alchemy_engine_args`` and its locking/scheduler limit into the preflight
(tests/unit/test_airflow_cfg.py), and the cockroachdb role makes it the Airflow user's default (tested
here through Ansible's own templating of the role's task). What this does not prove: how a CockroachDB
server behaves under either isolation; that is from the sources cited in the rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible_collections.airflow_ops.metastore.plugins.module_utils.cockroachdb_rules import (
    READ_COMMITTED,
    SERIALIZABLE,
    airflow_concurrency,
)

from tests.support.playbook import run_playbook

ROLE = Path(__file__).resolve().parents[2] / "roles" / "cockroachdb"


@pytest.mark.parametrize(
    ("version", "isolation", "locking", "max_schedulers"),
    [
        (None, SERIALIZABLE, False, 1),  # unknown: the oldest supported release
        ("v22.1.9", SERIALIZABLE, False, 1),  # no SKIP LOCKED
        ("v22.2.0", SERIALIZABLE, True, 1),  # SKIP LOCKED, but 40001 without retries
        ("23.2", SERIALIZABLE, True, 1),  # READ COMMITTED only a preview
        ("v24.1.4", SERIALIZABLE, True, 1),  # SKIP LOCKED + LIMIT wrong under READ COMMITTED
        ("v24.1.5", READ_COMMITTED, True, None),
        ("v25.4.1", READ_COMMITTED, True, None),
        ("26.2", READ_COMMITTED, True, None),
    ],
)
def test_cockroachdb_versions_map_to_isolation_locking_and_schedulers(
    version, isolation, locking, max_schedulers
):
    rule = airflow_concurrency("cockroachdb", version)
    assert (rule.isolation, rule.use_row_level_locking, rule.max_schedulers) == (
        isolation,
        locking,
        max_schedulers,
    )
    assert rule.why


def test_explicitly_disabled_row_level_locking_means_one_scheduler_on_every_backend():
    for backend, version in (("postgresql", None), ("mysql", None), ("cockroachdb", "v25.4.1")):
        rule = airflow_concurrency(backend, version, use_row_level_locking=False)
        assert (rule.use_row_level_locking, rule.max_schedulers) == (False, 1)
        assert "use_row_level_locking is off" in rule.why


def test_postgresql_and_mysql_keep_airflows_defaults():
    for backend in ("postgresql", "mysql"):
        rule = airflow_concurrency(backend)
        assert (rule.isolation, rule.use_row_level_locking, rule.max_schedulers) == (None, True, None)


def test_a_version_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="is not a CockroachDB version"):
        airflow_concurrency("cockroachdb", "latest")


@pytest.mark.parametrize(
    ("cockroachdb_version", "expected"), [("v25.4.1", "read committed"), ("v23.2.5", "serializable")]
)
def test_the_cockroachdb_role_gives_airflows_user_the_rules_isolation(
    tmp_path, cockroachdb_version, expected
):
    """Ansible templates the role task's own session_settings, filter and all, for two versions."""
    block = yaml.safe_load((ROLE / "tasks" / "cluster.yml").read_text())[1]["block"]
    settings = block[0]["airflow_ops.metastore.cockroachdb_user"]["session_settings"]
    play = [
        {
            "hosts": "all",
            "gather_facts": False,
            "vars": {"settings": settings},
            "tasks": [
                {"ansible.builtin.debug": {"msg": "ISOLATION={{ settings.default_transaction_isolation }}"}}
            ],
        }
    ]
    result = run_playbook(tmp_path, play, {"cockroachdb_version": cockroachdb_version})
    assert f"ISOLATION={expected}" in result.stdout, result.stdout
