"""The haproxy role's pure logic: time values, listener resolution, input problems, effective timeouts."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.airflow_ops.metastore.plugins.filter.haproxy import (
    FilterModule,
    haproxy_effective_timeouts,
    haproxy_input_problems,
    haproxy_resolve_listeners,
    haproxy_timeout_seconds,
    parse_time_seconds,
)

DEFAULTS = {
    "bind_address": "0.0.0.0",  # noqa: S104
    "maxconn": 1000,
    "timeout_client": "10m",
    "timeout_server": "10m",
    "timeout_connect": "5s",
    "timeout_check": "5s",
    "check_interval": "2s",
    "rise": 2,
    "fall": 2,
    "pgsql_check_user": "haproxy",
    "address_var": "ansible_host",
}


def listener(**overrides):
    base = {"name": "pg", "port": 5432, "profile": "postgresql", "servers": [{"address": "10.0.0.1"}]}
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("10m", 600),
        ("600s", 600),
        ("600000", 600),
        (600000, 600),
        ("600000ms", 600),
        ("1h", 3600),
        ("1d", 86400),
        ("500ms", 0.5),
        (" 30s ", 30),
        ("2000000us", 2),
    ],
)
def test_time_values_in_any_unit_convert_to_the_same_seconds(value, seconds):
    assert parse_time_seconds(value) == seconds


def test_ten_minutes_written_three_ways_compare_equal():
    ten_minutes = [haproxy_timeout_seconds(value) for value in ("10m", "600s", 600000)]
    assert ten_minutes == [600, 600, 600]


@pytest.mark.parametrize("value", ["ten minutes", "10 min", "1.5s", "-5s", "", None, True, 3.5, "10M"])
def test_values_that_are_not_haproxy_times_are_rejected_with_examples(value):
    with pytest.raises(AnsibleFilterError, match="not an HAProxy time"):
        haproxy_timeout_seconds(value)


def test_cockroachdb_profile_matches_cockroach_gen_haproxy():
    (resolved,) = haproxy_resolve_listeners(
        [{"name": "crdb", "port": 26257, "profile": "cockroachdb", "servers": [{"address": "n1"}]}], DEFAULTS
    )
    assert resolved["check"] == "http"
    assert resolved["check_path"] == "/health?ready=1"
    assert resolved["balance"] == "roundrobin"
    assert resolved["client_tcp_keepalive"] is True
    assert resolved["servers"] == [{"name": "n1", "address": "n1", "port": 26257, "check_port": 8080}]


def test_postgresql_profile_uses_pgsql_check_without_a_check_port():
    (resolved,) = haproxy_resolve_listeners([listener()], DEFAULTS)
    assert resolved["check"] == "pgsql"
    assert resolved["pgsql_check_user"] == "haproxy"
    assert resolved["client_tcp_keepalive"] is False
    assert resolved["servers"][0]["port"] == 5432


def test_postgresql_profile_with_a_check_port_checks_the_patroni_primary_over_http():
    (resolved,) = haproxy_resolve_listeners([listener(check_port=8008)], DEFAULTS)
    assert resolved["check"] == "http"
    assert resolved["check_path"] == "/primary"
    assert resolved["servers"][0]["check_port"] == 8008


def test_listener_values_override_role_wide_defaults():
    (resolved,) = haproxy_resolve_listeners([listener(timeout_client="30m", rise=5, maxconn=50)], DEFAULTS)
    assert (resolved["timeout_client"], resolved["rise"], resolved["maxconn"]) == ("30m", 5, 50)
    assert resolved["timeout_server"] == "10m"


def test_backend_group_servers_use_ansible_host_or_fall_back_to_the_inventory_name():
    groups = {"dbs": ["db1", "db2"]}
    hostvars = {"db1": {"ansible_host": "192.0.2.10"}, "db2": {}}
    (resolved,) = haproxy_resolve_listeners(
        [listener(servers=[], backend_group="dbs")], DEFAULTS, groups, hostvars
    )
    assert [(s["name"], s["address"]) for s in resolved["servers"]] == [("db1", "192.0.2.10"), ("db2", "db2")]


def test_valid_input_has_no_problems():
    crdb = listener(name="crdb", port=26257, profile="cockroachdb")
    assert haproxy_input_problems([listener(), crdb], DEFAULTS) == []


def test_no_listeners_at_all_is_a_problem():
    assert haproxy_input_problems([], DEFAULTS) == [
        "haproxy_listeners is empty: define at least one listener (name, port, profile, backend)"
    ]


def test_an_empty_backend_list_is_named_with_the_fix():
    (problem,) = haproxy_input_problems([listener(servers=[])], DEFAULTS)
    assert "haproxy_listeners[0] (pg): the backend is empty" in problem
    assert "backend_group" in problem


def test_a_backend_group_without_hosts_is_a_problem():
    (problem,) = haproxy_input_problems([listener(servers=[], backend_group="dbs")], DEFAULTS, {"dbs": []})
    assert "inventory group 'dbs' is missing or has no hosts" in problem


def test_a_duplicate_listener_port_names_both_listeners():
    problems = haproxy_input_problems([listener(name="a"), listener(name="b")], DEFAULTS)
    assert problems == [
        (
            "port 5432 is used by both listener 'a' and listener 'b' on the same address: "
            "give each its own port (or distinct, non-wildcard bind addresses)"
        )
    ]


def test_one_port_on_two_distinct_addresses_is_allowed_but_not_beside_a_wildcard():
    on_a = listener(name="a", bind_address="10.0.0.1")
    on_b = listener(name="b", bind_address="10.0.0.2")
    assert haproxy_input_problems([on_a, on_b], DEFAULTS) == []
    (problem,) = haproxy_input_problems([on_a, listener(name="c")], DEFAULTS)  # c binds 0.0.0.0
    assert "listener 'a' and listener 'c'" in problem
    (problem,) = haproxy_input_problems([on_a, listener(name="d", bind_address="10.0.0.1")], DEFAULTS)
    assert "listener 'a' and listener 'd'" in problem


def test_the_stats_port_cannot_collide_with_a_listener():
    stats = {"enabled": True, "bind_address": "127.0.0.1", "port": 5432, "user": "u", "password": "p"}
    (problem,) = haproxy_input_problems([listener()], DEFAULTS, stats=stats)
    assert "the stats endpoint" in problem


def test_an_invalid_listener_timeout_is_named():
    (problem,) = haproxy_input_problems([listener(timeout_server="ten minutes")], DEFAULTS)
    assert problem.startswith("haproxy_listeners[0] (pg): timeout_server: 'ten minutes' is not an HAProxy")


def test_an_invalid_role_wide_timeout_is_named():
    (problem,) = haproxy_input_problems([listener(timeout_client="1m")], {**DEFAULTS, "timeout_client": "x"})
    assert problem.startswith("role defaults: timeout_client: 'x' is not an HAProxy time")


def test_a_bare_number_meant_as_seconds_is_caught_as_milliseconds():
    (problem,) = haproxy_input_problems([listener(timeout_client=600)], DEFAULTS)
    assert "600 ms" in problem
    assert "write the unit" in problem


def test_a_zero_check_interval_is_a_problem():
    (problem,) = haproxy_input_problems([listener(check_interval="0s")], DEFAULTS)
    assert "check_interval must be more than zero" in problem


def test_unknown_profile_and_bad_port_are_both_reported():
    problems = haproxy_input_problems([listener(profile="mysql", port=70000)], DEFAULTS)
    assert any("profile 'mysql' is unknown" in p for p in problems)
    assert any("port 70000 must be a number from 1 to 65535" in p for p in problems)


@pytest.mark.parametrize("address", ["0.0.0.0", "10.1.2.3", "example.org"])  # noqa: S104
def test_stats_bound_beyond_loopback_is_refused(address):
    stats = {"enabled": True, "bind_address": address, "port": 8404, "user": "u", "password": "p"}
    (problem,) = haproxy_input_problems([listener()], DEFAULTS, stats=stats)
    assert "is not a loopback address" in problem


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "localhost"])
def test_stats_on_loopback_with_credentials_is_accepted(address):
    stats = {"enabled": True, "bind_address": address, "port": 8404, "user": "u", "password": "p"}
    assert haproxy_input_problems([listener()], DEFAULTS, stats=stats) == []


def test_stats_without_a_password_is_refused():
    stats = {"enabled": True, "bind_address": "127.0.0.1", "port": 8404, "user": "u", "password": ""}
    (problem,) = haproxy_input_problems([listener()], DEFAULTS, stats=stats)
    assert "set haproxy_stats_user and haproxy_stats_password" in problem


def test_effective_timeouts_report_the_shortest_idle_cut_off_in_seconds():
    resolved = haproxy_resolve_listeners(
        [
            listener(timeout_client="10m", timeout_server=300000),
            listener(name="b", port=1, timeout_client="1h"),
        ],
        DEFAULTS,
    )
    timeouts = haproxy_effective_timeouts(resolved)
    assert timeouts["idle_seconds"] == 300
    assert timeouts["listeners"]["pg"] == {
        "port": 5432,
        "client_seconds": 600,
        "server_seconds": 300,
        "connect_seconds": 5,
        "idle_seconds": 300,
    }
    assert timeouts["listeners"]["b"]["idle_seconds"] == 600


def test_the_filter_plugin_exposes_every_helper_by_name():
    assert set(FilterModule().filters()) == {
        "haproxy_timeout_seconds",
        "haproxy_resolve_listeners",
        "haproxy_input_problems",
        "haproxy_effective_timeouts",
    }


@pytest.mark.parametrize(("user", "password"), [("a:b", "s3cret"), ("a b", "s3cret"), ("admin", "s3cret's")])
def test_stats_credentials_that_would_break_the_quoted_auth_line_are_refused(user, password):
    stats = {"enabled": True, "bind_address": "127.0.0.1", "port": 8404, "user": user, "password": password}
    (problem,) = haproxy_input_problems([listener()], DEFAULTS, stats=stats)
    assert "may not contain" in problem
    assert password not in problem


def test_an_invalid_role_wide_timeout_is_reported_once_not_per_listener():
    listeners = [listener(), listener(name="b", port=2)]
    assert len(haproxy_input_problems(listeners, {**DEFAULTS, "timeout_server": "soon"})) == 1


def test_a_port_written_as_a_string_in_an_inventory_file_counts_as_that_port():
    assert haproxy_input_problems([listener(port="5432")], DEFAULTS) == []
    problems = haproxy_input_problems([listener(name="a", port="5432"), listener(name="b")], DEFAULTS)
    assert problems == [
        (
            "port 5432 is used by both listener 'a' and listener 'b' on the same address: "
            "give each its own port (or distinct, non-wildcard bind addresses)"
        )
    ]
    (resolved,) = haproxy_resolve_listeners([listener(port="6432")], DEFAULTS)
    assert resolved["port"] == 6432
