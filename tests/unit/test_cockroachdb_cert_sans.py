"""The cockroachdb role's node certificate names (filter cockroachdb_cert_sans), without Ansible.

Proves: the SAN list holds the node's own names and every load balancer name, as DNS or IP entries the
CSR module accepts, without duplicates, and that an entry that is no host name fails with the variable to fix.
Does not prove: that a client verifies a certificate made from it (molecule/cockroachdb_certs does that).
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.airflow_ops.metastore.plugins.filter.cockroachdb import (
    FilterModule,
    cockroachdb_cert_sans,
    san_entry,
)


def test_node_names_then_load_balancers_in_order():
    sans = cockroachdb_cert_sans(
        ["crdb1.example.com", "crdb1.example.com", "localhost", "127.0.0.1"], ["lb1.example.com", "10.0.20.5"]
    )
    assert sans == [
        "DNS:crdb1.example.com",
        "DNS:localhost",
        "IP:127.0.0.1",
        "DNS:lb1.example.com",
        "IP:10.0.20.5",
    ]


def test_duplicates_compare_dns_case_insensitively_and_addresses_by_value():
    sans = cockroachdb_cert_sans(["LB1.Example.com.", "::1"], ["lb1.example.com", "[0:0:0:0:0:0:0:1]"])
    assert sans == ["DNS:lb1.example.com", "IP:::1"]


def test_a_single_name_and_empty_entries():
    assert cockroachdb_cert_sans("crdb1", None, [], ["", "  "]) == ["DNS:crdb1"]


@pytest.mark.parametrize("bad", ["lb 1", "lb1,lb2", "http://lb1", "-lb1", "a" * 64 + ".example"])
def test_a_non_name_fails_and_says_which_variable_to_fix(bad):
    with pytest.raises(AnsibleFilterError) as err:
        cockroachdb_cert_sans(["crdb1"], [bad])
    assert repr(bad) in str(err.value)
    assert "cockroachdb_cert_extra_names" in str(err.value)


def test_wildcards_and_underscores_are_dns_names():
    assert san_entry("*.lb.example.com") == "DNS:*.lb.example.com"
    assert san_entry("crdb_1") == "DNS:crdb_1"


def test_the_filter_is_registered_under_its_documented_name():
    assert FilterModule().filters()["cockroachdb_cert_sans"] is cockroachdb_cert_sans
