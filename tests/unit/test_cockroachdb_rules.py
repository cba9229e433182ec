"""The rule table itself: versions, gates, and that every rule says what it does and why."""

from __future__ import annotations

import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils import cockroachdb_rules as rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v23.2.1", (23, 2, 1)),
        ("23.2", (23, 2, 0)),
        ("v25.4", (25, 4, 0)),
        (" v22.1.0-alpha.1 ", (22, 1, 0)),
        ("26.2.3", (26, 2, 3)),
    ],
)
def test_parse_version_accepts_cockroachdb_version_spellings(text, expected):
    assert rules.parse_version(text) == expected


@pytest.mark.parametrize("text", ["", "latest", "v23", "23.x", "v23.2.1.4"])
def test_parse_version_rejects_what_is_not_a_version_and_says_the_form(text):
    with pytest.raises(ValueError, match=r"use the form v25\.4"):
        rules.parse_version(text)


def test_version_tuples_compare_numerically_not_as_text():
    assert rules.parse_version("v9.2") < rules.parse_version("v20.2") < rules.parse_version("v23.10")


def test_default_target_version_is_a_current_release():
    assert rules.parse_version(rules.DEFAULT_TARGET_VERSION) >= (25, 4, 0)


def test_rule_ids_are_unique_and_every_rule_has_description_and_source():
    ids = [rule.id for rule in rules.RULES]
    assert len(ids) == len(set(ids))
    for rule in rules.RULES:
        assert rule.description and rule.source and callable(rule.transform)


def _ids(target, version):
    return {rule.id for rule in rules.rules_for(target, version)}


@pytest.mark.parametrize(
    ("rule_id", "last_needing", "first_not_needing"),
    [
        ("sequence-as-type", "v21.2.9", "v22.1.0"),
        ("sequence-owner-to", "v20.2.5", "v21.1.0"),
        ("nextval-regclass", "v20.2.19", "v21.1"),
        ("session-settings-v22.1", "v21.2", "v22.1"),
        ("set-config-search-path", "v23.2.0", "v23.2.1"),
        ("expression-index", "v21.1.21", "v21.2.0"),
        ("table-storage-parameters-v22.1", "v21.2.9", "v22.1.0"),
    ],
)
def test_versioned_rule_applies_up_to_the_release_that_fixed_it(rule_id, last_needing, first_not_needing):
    assert rule_id in _ids("cockroachdb", rules.parse_version(last_needing))
    assert rule_id not in _ids("cockroachdb", rules.parse_version(first_not_needing))


@pytest.mark.parametrize(
    "rule_id",
    [
        "psql-meta-commands",
        "owner-to",
        "primary-key-in-create-table",
        "alter-table-only",
        "session-only-settings",
        "pgcrypto-extension",
        "comment-on-extension",
        "unverified-constructs",
    ],
)
def test_unversioned_rules_apply_to_every_cockroachdb_version(rule_id):
    for version in ("v20.2", "v23.1", "v25.4", "v26.2", "v99.1"):
        assert rule_id in _ids("cockroachdb", rules.parse_version(version))


def test_postgresql_target_only_removes_meta_commands_and_rewrites_owners():
    assert _ids("postgresql", None) == {"psql-meta-commands", "owner-to"}


def test_rules_not_needed_lists_the_gated_rules_a_new_version_skips():
    skipped = {rule.id for rule in rules.rules_not_needed("cockroachdb", (25, 4, 0))}
    assert skipped == {
        "sequence-as-type",
        "sequence-owner-to",
        "nextval-regclass",
        "session-settings-v22.1",
        "set-config-search-path",
        "expression-index",
        "table-storage-parameters-v22.1",
    }
