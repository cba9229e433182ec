# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the airflow_ops.metastore.haproxy role: timeouts, listener resolution, input checks.

The role's template only loops over what ``haproxy_resolve_listeners`` returns; every default and every
profile rule lives here, unit-tested without Ansible.
"""

from __future__ import annotations

import ipaddress
import re

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # plain unit tests and tools without Ansible still get a clear error type
    AnsibleFilterError = ValueError

_TIME_UNITS = {"us": 0.000001, "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_TIME_RE = re.compile(r"^\s*(\d+)\s*(us|ms|s|m|h|d)?\s*$")

# What each profile puts in a listener unless the listener says otherwise.
PROFILE_DEFAULTS = {
    "cockroachdb": {
        # As `cockroach gen haproxy` writes it: SQL on 26257, readiness over HTTP on 8080.
        "server_port": 26257,
        "check_port": 8080,
        "check_path": "/health?ready=1",
        "balance": "roundrobin",
    },
    "postgresql": {
        # pgsql-check unless a check_port is given (Patroni answers GET /primary on 8008).
        "server_port": 5432,
        "check_port": None,
        "check_path": "/primary",
        "balance": "roundrobin",
    },
}

# Listener keys that fall back to a role-wide default of the same meaning.
_ROLE_WIDE_KEYS = (
    "bind_address",
    "maxconn",
    "timeout_client",
    "timeout_server",
    "timeout_connect",
    "timeout_check",
    "check_interval",
    "rise",
    "fall",
    "pgsql_check_user",
)
_TIMEOUT_KEYS = ("timeout_client", "timeout_server", "timeout_connect", "timeout_check", "check_interval")
# Client and server timeouts cut idle connections; below a second they are almost surely a unit mistake.
_IDLE_TIMEOUT_KEYS = ("timeout_client", "timeout_server")


def parse_time_seconds(value):
    """Seconds in an HAProxy time value; ValueError (with the reason) when it is not one."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{value!r} is not an HAProxy time (examples: 10m, 30s, 500ms, 600000)")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an HAProxy time (examples: 10m, 30s, 500ms, 600000)")
    match = _TIME_RE.match(value)
    if not match:
        raise ValueError(
            f"{value!r} is not an HAProxy time: write a whole number with an optional unit "
            "us, ms, s, m, h or d (examples: 10m, 30s, 500ms; a bare number is milliseconds)"
        )
    seconds = int(match.group(1)) * _TIME_UNITS[match.group(2) or "ms"]
    return int(seconds) if float(seconds).is_integer() else seconds


def haproxy_timeout_seconds(value):
    """Filter form of parse_time_seconds."""
    try:
        return parse_time_seconds(value)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from exc


def _group_servers(group, groups, hostvars, address_var):
    """Servers of an inventory group: name = inventory name, address = hostvars[address_var] or the name."""
    servers = []
    for host in groups.get(group) or []:
        host_vars = hostvars[host] if host in hostvars else {}  # noqa: SIM401 (HostVars has no .get default)
        address = host_vars.get(address_var) or host
        servers.append({"name": host, "address": str(address)})
    return servers


def _resolve_server(server, listener):
    return {
        "name": str(server.get("name") or server["address"]),
        "address": str(server["address"]),
        "port": int(server.get("port") or listener["server_port"]),
        "check_port": server.get("check_port") or listener["check_port"],
    }


def resolve_listener(listener, defaults, groups, hostvars):
    """One listener with every effective value filled in (profile, then role-wide defaults)."""
    profile = PROFILE_DEFAULTS[listener["profile"]]
    resolved = dict(listener)
    for key, value in profile.items():
        if resolved.get(key) is None:
            resolved[key] = value
    for key in _ROLE_WIDE_KEYS:
        if resolved.get(key) is None:
            resolved[key] = defaults.get(key)
    resolved["port"] = int(resolved["port"])
    resolved["check"] = "http" if resolved.get("check_port") else "pgsql"
    resolved["client_tcp_keepalive"] = listener["profile"] == "cockroachdb"
    servers = list(listener.get("servers") or [])
    if listener.get("backend_group"):
        address_var = listener.get("address_var") or defaults.get("address_var") or "ansible_host"
        servers = _group_servers(listener["backend_group"], groups, hostvars, address_var) + servers
    resolved["servers"] = [_resolve_server(s, resolved) for s in servers]
    return resolved


def haproxy_resolve_listeners(listeners, defaults, groups=None, hostvars=None):
    """Every listener resolved; call haproxy_input_problems first, this assumes valid input."""
    return [resolve_listener(lst, defaults, groups or {}, hostvars or {}) for lst in listeners]


def _listener_problems(index, listener, defaults, groups):
    label = f"haproxy_listeners[{index}] ({listener.get('name') or 'unnamed'})"
    problems = []
    if not listener.get("name"):
        problems.append(f"{label}: give the listener a name")
    if listener.get("profile") not in PROFILE_DEFAULTS:
        problems.append(
            f"{label}: profile {listener.get('profile')!r} is unknown; use one of {sorted(PROFILE_DEFAULTS)}"
        )
    port = _as_port(listener.get("port"))
    if port is None:
        problems.append(f"{label}: port {listener.get('port')!r} must be a number from 1 to 65535")
    group = listener.get("backend_group")
    group_hosts = ((groups or {}).get(group) or []) if group else []
    if group and not group_hosts:
        problems.append(f"{label}: inventory group {group!r} is missing or has no hosts")
    servers = listener.get("servers") or []
    if not group_hosts and not servers and not group:
        problems.append(f"{label}: the backend is empty: set servers (a list) or backend_group (a group)")
    for number, server in enumerate(servers):
        if not isinstance(server, dict) or not server.get("address"):
            problems.append(f"{label}: servers[{number}] needs an address")
    for key in _TIMEOUT_KEYS:
        if listener.get(key) is not None:  # role-wide values are checked once, not per listener
            problems.extend(_timeout_problems(label, key, listener[key]))
    return problems


def _as_port(value):
    """The port as an int (inventory files give strings), or None when it is not a valid port."""
    if isinstance(value, bool):
        return None
    try:
        port = int(value)
    except (TypeError, ValueError):
        return None
    return port if 1 <= port <= 65535 else None


def _timeout_problems(label, key, value):
    if value is None:
        return [f"{label}: {key} is not set"]
    try:
        seconds = parse_time_seconds(value)
    except ValueError as exc:
        return [f"{label}: {key}: {exc}"]
    if seconds <= 0:
        return [f"{label}: {key} must be more than zero"]
    if key in _IDLE_TIMEOUT_KEYS and seconds < 1:
        return [
            f"{label}: {key} {value!r} is {seconds * 1000:g} ms: a bare number is milliseconds in HAProxy; "
            "write the unit (e.g. '600s' or '10m')"
        ]
    return []


def _is_wildcard(address):
    return str(address or "").strip("[]") in ("", "*", "0.0.0.0", "::")  # noqa: S104 - comparing, not binding


def _binds_collide(first, second):
    """Same port and the same address, or a wildcard on either side (it takes the port on every address)."""
    (address_a, port_a), (address_b, port_b) = first, second
    if port_a != port_b:
        return False
    return _is_wildcard(address_a) or _is_wildcard(address_b) or str(address_a) == str(address_b)


def _duplicate_port_problems(listeners, defaults, stats):
    problems = []
    binds = [
        (
            (lst.get("bind_address") or defaults.get("bind_address"), _as_port(lst.get("port"))),
            f"listener {lst.get('name')!r}",
        )
        for lst in listeners
    ]
    if stats.get("enabled"):
        binds.append(((stats.get("bind_address"), _as_port(stats.get("port"))), "the stats endpoint"))
    seen = []
    for bind, owner in binds:
        if bind[1] is None:
            continue  # reported as an invalid port
        clash = next((other for other_bind, other in seen if _binds_collide(bind, other_bind)), None)
        if clash:
            problems.append(
                f"port {bind[1]} is used by both {clash} and {owner} on the same address: "
                "give each its own port (or distinct, non-wildcard bind addresses)"
            )
        seen.append((bind, owner))
    return problems


def _stats_problems(stats):
    if not stats.get("enabled"):
        return []
    problems = []
    address = str(stats.get("bind_address") or "")
    try:
        loopback = ipaddress.ip_address(address).is_loopback
    except ValueError:
        loopback = address == "localhost"
    if not loopback:
        problems.append(
            f"haproxy_stats_bind_address {address!r} is not a loopback address: the stats endpoint is "
            "bound to 127.0.0.1 or ::1 only (reach it through an SSH tunnel)"
        )
    user, password = str(stats.get("user") or ""), str(stats.get("password") or "")
    if not user or not password:
        problems.append("haproxy_stats_enabled is true: set haproxy_stats_user and haproxy_stats_password")
    if ":" in user or "'" in user + password or any(c.isspace() for c in user):
        # Both are written single-quoted as `stats auth 'user:password'`.
        problems.append(
            "haproxy_stats_user may not contain ':', spaces or quotes, the password no single quote"
        )
    return problems


def haproxy_input_problems(listeners, defaults, groups=None, stats=None):
    """Every reason the role's input cannot produce a working proxy, as messages that say what to fix."""
    stats = stats or {}
    if not isinstance(listeners, list) or not listeners:
        return ["haproxy_listeners is empty: define at least one listener (name, port, profile, backend)"]
    problems = []
    for index, listener in enumerate(listeners):
        if not isinstance(listener, dict):
            problems.append(f"haproxy_listeners[{index}] must be a dictionary, got {listener!r}")
            continue
        problems.extend(_listener_problems(index, listener, defaults, groups))
    for key in _TIMEOUT_KEYS:
        problems.extend(_timeout_problems("role defaults", key, defaults.get(key)))
    dicts = [lst for lst in listeners if isinstance(lst, dict)]
    return problems + _duplicate_port_problems(dicts, defaults, stats) + _stats_problems(stats)


def haproxy_effective_timeouts(resolved_listeners):
    """Per-listener timeouts in seconds, and the idle cut-off that connection pools must stay below."""
    per_listener = {}
    for listener in resolved_listeners:
        client = parse_time_seconds(listener["timeout_client"])
        server = parse_time_seconds(listener["timeout_server"])
        per_listener[listener["name"]] = {
            "port": listener["port"],
            "client_seconds": client,
            "server_seconds": server,
            "connect_seconds": parse_time_seconds(listener["timeout_connect"]),
            "idle_seconds": min(client, server),
        }
    idle = min((t["idle_seconds"] for t in per_listener.values()), default=None)
    return {"idle_seconds": idle, "listeners": per_listener}


class FilterModule:
    """HAProxy helpers for the airflow_ops.metastore.haproxy role."""

    def filters(self):
        return {
            "haproxy_timeout_seconds": haproxy_timeout_seconds,
            "haproxy_resolve_listeners": haproxy_resolve_listeners,
            "haproxy_input_problems": haproxy_input_problems,
            "haproxy_effective_timeouts": haproxy_effective_timeouts,
        }
