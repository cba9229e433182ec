# Copyright: (c) 2026, airflow_ops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the ``airflow`` role (airflow_ops.metastore.airflow_*): its decisions as plain functions.

- one filter per airflow.cfg decision (``airflow_pool_recycle``, ``airflow_row_level_locking``,
  ``airflow_crdb_engine_args``, ``airflow_api_*``, ``airflow_auth_manager_class``), each returning the one
  value that templates/airflow.cfg.j2 writes on that key's line;
- ``airflow_cfg_merge``: airflow_config_overrides applied to the rendered airflow.cfg;
- ``airflow_preflight_errors``: everything wrong with the role's input, as messages that say what to fix;
- ``airflow_constraints_url``: Airflow's official constraints URL for an Airflow and a Python version.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import unquote, urlsplit, urlunsplit

from ansible.errors import AnsibleFilterError
from ansible_collections.airflow_ops.metastore.plugins.module_utils.cockroachdb_rules import (
    airflow_concurrency,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.sqlalchemy_url import (
    SYNC_DRIVERS,
    SqlalchemyUrlError,
    url_from_settings,
)

BACKENDS = tuple(sorted(SYNC_DRIVERS))
SERVICES = {
    2: ("webserver", "scheduler", "triggerer"),
    3: ("api-server", "scheduler", "dag-processor", "triggerer"),
}
# CockroachDB advises a connection lifetime of 5-30 min, below the load balancer's idle timeout.
DEFAULT_POOL_RECYCLE = {"postgresql": 1800, "mysql": 1800, "cockroachdb": 300}
ANY_ADDRESS = "0.0.0.0"  # noqa: S104 - only with TLS, or when the operator asks for it
LOOPBACK = "127.0.0.1"
AUTH_MANAGERS = {
    "simple": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
    "fab": "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
}
CONSTRAINTS_URL = (
    "https://raw.githubusercontent.com/apache/airflow/constraints-{airflow}/constraints-{python}.txt"
)
_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")
_PIN_RE = re.compile(r"^\s*apache-airflow\s*==\s*([^\s;#]+)", re.IGNORECASE | re.MULTILINE)


def parse_version(version):
    """'3.3.2' -> (3, 3, 2); 'v22.2' -> (22, 2, 0); None when it is not a release number."""
    match = _VERSION_RE.match(str(version).strip())
    if not match:
        return None
    return tuple(int(part or 0) for part in match.groups())


def airflow_major(version):
    parsed = parse_version(version)
    if parsed is None:
        raise AnsibleFilterError(f"airflow_version {version!r} is not a release number such as 3.3.2")
    return parsed[0]


def constraints_url(airflow_version, python_version):
    """Official constraints URL, as in Airflow's install docs (Python as major.minor)."""
    python = parse_version(python_version)
    if python is None:
        raise AnsibleFilterError(f"Python version {python_version!r} is not like 3.11 or 3.11.2")
    return CONSTRAINTS_URL.format(airflow=airflow_version, python=f"{python[0]}.{python[1]}")


def constraints_pin(text):
    """The apache-airflow version a constraints file pins, or None (official files pin none)."""
    match = _PIN_RE.search(text or "")
    return match.group(1) if match else None


def effective_pool_recycle(backend, pool_recycle=None, proxy_timeout=None):
    """Operator's value, else the backend default, halved proxy timeout when that is lower."""
    if pool_recycle not in (None, ""):
        return int(pool_recycle)
    default = DEFAULT_POOL_RECYCLE.get(backend, 1800)
    if proxy_timeout not in (None, "") and default >= int(proxy_timeout):
        return max(int(proxy_timeout) // 2, 1)
    return default


def _to_bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise AnsibleFilterError(f"{value!r} is not a boolean (true/false)")


def airflow_concurrency_for(backend, explicit=None, cockroachdb_version=None):
    """The one rule (cockroachdb_rules.airflow_concurrency) for the role's inputs."""
    locking = None if explicit in (None, "") else _to_bool(explicit)
    try:
        return airflow_concurrency(backend, cockroachdb_version or None, locking)
    except ValueError as exc:
        raise AnsibleFilterError(f"airflow_cockroachdb_version: {exc}") from exc


def effective_row_level_locking(backend, explicit=None, cockroachdb_version=None):
    """False for CockroachDB older than v22.2 (no SKIP LOCKED) or of unknown version."""
    return airflow_concurrency_for(backend, explicit, cockroachdb_version).use_row_level_locking


def crdb_isolation(cockroachdb_version=None):
    """The isolation Airflow's CockroachDB user runs with: 'READ COMMITTED' or 'SERIALIZABLE'."""
    return airflow_concurrency_for("cockroachdb", None, cockroachdb_version).isolation


def _version_errors(version):
    parsed = parse_version(version)
    if parsed is None:
        return [f"airflow_version {version!r} is not a release number such as 3.3.2 or 2.11.2"]
    if parsed[0] == 3 or parsed[:2] == (2, 11):
        return []
    return [
        f"airflow_version {version} is not supported by this role and has no constraints it can "
        "use: choose a 2.11.x or 3.x release"
    ]


def _constraints_errors(p):
    path = p.get("constraints_file")
    if not path:
        return []
    if not os.path.isfile(path):
        return [
            f"airflow_constraints_file {path} does not exist on the controller: point it at a pip "
            "constraints file for Airflow {0} (or leave it empty to use the official URL)".format(
                p.get("version")
            )
        ]
    with open(path, encoding="utf-8") as handle:
        pinned = constraints_pin(handle.read())
    if pinned and pinned != str(p.get("version")):
        return [
            f"airflow_constraints_file {path} pins apache-airflow=={pinned}, not airflow_version "
            f"{p.get('version')}: use the constraints file made for that version"
        ]
    return []


def _service_errors(p, major):
    allowed = SERVICES.get(major, ())
    unknown = [s for s in p.get("services") or [] if s not in allowed]
    if not unknown:
        return []
    return [
        f"airflow_services {', '.join(unknown)} do not exist in Airflow {major}: use some of "
        f"{', '.join(allowed)}"
    ]


def _database_errors(p):
    db = p.get("db") or {}
    backend = db.get("backend")
    if backend not in BACKENDS:
        return [f"airflow_db_backend {backend!r} is not supported: use one of {', '.join(BACKENDS)}"]
    errors = []
    if not db.get("password"):
        errors.append("airflow_db_password is empty: set the metadata database user's password")
    try:
        url_from_settings(db)
    except SqlalchemyUrlError as exc:
        errors.append(f"airflow_db_*: {exc}")
    return errors


def _pool_errors(p):
    backend = (p.get("db") or {}).get("backend")
    timeout = p.get("proxy_timeout")
    if timeout in (None, ""):
        return []
    recycle = effective_pool_recycle(backend, p.get("pool_recycle"), timeout)
    if recycle < int(timeout):
        return []
    return [
        f"airflow_db_pool_recycle {recycle} s is not below the proxy's timeout of {timeout} s "
        "(airflow_proxy_timeout_seconds): connections would be cut by the proxy while pooled; set "
        "airflow_db_pool_recycle lower (or leave it empty for half the timeout)"
    ]


def _locking_errors(p):
    db = p.get("db") or {}
    rule = airflow_concurrency_for(
        db.get("backend"), p.get("use_row_level_locking"), p.get("cockroachdb_version")
    )
    count = int(p.get("scheduler_hosts") or 0)
    if rule.max_schedulers is None or count <= rule.max_schedulers:
        return []
    return [
        f"{count} hosts run the scheduler, and this database allows {rule.max_schedulers} ({rule.why}): "
        "remove 'scheduler' from airflow_services on all hosts but one, or set airflow_cockroachdb_version "
        "to the cluster's real version (v24.1.5 or later runs READ COMMITTED with many schedulers)"
    ]


def _auth_errors(p, major):
    errors = []
    manager = p.get("auth_manager")
    if manager not in AUTH_MANAGERS:
        errors.append(f"airflow_auth_manager {manager!r} is not one of {', '.join(AUTH_MANAGERS)}")
    elif major == 2 and manager != "fab":
        errors.append("Airflow 2 has only the FAB auth manager: set airflow_auth_manager to fab")
    if p.get("admin_create") and not p.get("admin_password"):
        errors.append("airflow_admin_password is empty: set it or set airflow_admin_create to false")
    return errors


def _api_tls_errors(p):
    api = p.get("api") or {}
    if bool(api.get("tls_cert")) == bool(api.get("tls_key")):
        return []
    return [
        "airflow_api_tls_cert and airflow_api_tls_key go together: set both (the certificate and its "
        "private key, files on the host the airflow user can read) or neither"
    ]


def preflight_errors(p):
    """Every problem with the role's input, each phrased as what to fix; [] when all is well."""
    errors = _version_errors(p.get("version"))
    major = parse_version(p.get("version"))[0] if not errors else None
    errors += _database_errors(p)
    errors += _constraints_errors(p)
    if major is not None:
        errors += _service_errors(p, major)
        errors += _auth_errors(p, major)
    errors += _api_tls_errors(p)
    errors += _pool_errors(p)
    errors += _locking_errors(p)
    return errors


def api_tls(tls_cert, tls_key=""):
    """True when the api-server / webserver is given a certificate and its key (airflow_api_tls_*)."""
    return bool(tls_cert and tls_key)


def api_listen_host(host, tls=False):
    """The listen address: the operator's, else every address with TLS and the loopback one without.

    Without TLS the login (and the simple auth manager, meant for development) would cross the network in
    plain HTTP: the default keeps it on the host, for a TLS-terminating proxy or an SSH tunnel.
    """
    if host:
        return host
    return ANY_ADDRESS if _to_bool(tls) else LOOPBACK


def api_base_url(base_url, tls=False, port=8080):
    """The operator's base URL, else http(s)://localhost:PORT (https when the server has a certificate)."""
    return base_url or f"{'https' if _to_bool(tls) else 'http'}://localhost:{port}"


def auth_manager_class(name):
    """The auth manager's class path for airflow.cfg [core] auth_manager ('simple' or 'fab')."""
    try:
        return AUTH_MANAGERS[name]
    except KeyError:
        raise AnsibleFilterError(
            f"airflow_auth_manager {name!r} is not one of {', '.join(AUTH_MANAGERS)}"
        ) from None


def crdb_engine_args(cockroachdb_version=None):
    """[database] sql_alchemy_engine_args for CockroachDB: the rule's isolation, as JSON.

    The sync engine (scheduler, workers, API writes) asks for it; the async engine gets no engine args from
    Airflow and takes the Airflow user's default, which the cockroachdb role sets to the same rule.
    """
    return json.dumps({"isolation_level": crdb_isolation(cockroachdb_version)})


_SECTION_RE = re.compile(r"^\[([^\]]+)\]\s*$")
_OPTION_RE = re.compile(r"^([^#;\s\[][^=]*?) = (.*)$")


def cfg_merge(text, overrides=None, skip=()):
    """airflow.cfg text with airflow_config_overrides applied, every value's '%' doubled.

    ``text`` is the role's rendered template: ``[section]`` headers and ``key = value`` lines (comments and
    blank lines pass through). An override of a key the text has replaces its value in place; a new key goes
    after the last option of its section, a new section at the end. ``skip`` lists ``section.key`` options
    the environment file holds instead (airflow_secrets_in_env_file): their overrides go there, not here.
    """
    extra = {
        section: {key: value for key, value in (options or {}).items() if f"{section}.{key}" not in skip}
        for section, options in (overrides or {}).items()
    }
    lines, section, last_option = [], None, {}
    for line in text.split("\n"):
        header, option = _SECTION_RE.match(line), _OPTION_RE.match(line)
        if header:
            section = header.group(1)
            last_option.setdefault(section, len(lines))
        elif option and section is not None:
            key, value = option.groups()
            value = extra.get(section, {}).pop(key, value)
            line = f"{key} = {cfg_escape(_cfg_value(value))}"
            last_option[section] = len(lines)
        lines.append(line)
    for section in reversed(list(last_option)):
        added = [f"{k} = {cfg_escape(_cfg_value(v))}" for k, v in extra.pop(section, {}).items()]
        lines[last_option[section] + 1 : last_option[section] + 1] = added
    tail = lines.pop() if lines and lines[-1] == "" else None
    for section, options in extra.items():
        lines += ["", f"[{section}]"] + [f"{k} = {cfg_escape(_cfg_value(v))}" for k, v in options.items()]
    if tail is not None:
        lines.append(tail)
    return "\n".join(lines)


def _cfg_value(value):
    if isinstance(value, bool):
        return "True" if value else "False"
    text = str(value)
    if "\n" in text:
        raise AnsibleFilterError(f"airflow.cfg values must be one line; got {text[:40]!r}...")
    return text


def cfg_escape(value):
    """Escape for Airflow's ConfigParser, which interpolates '%' (a quoted password holds '%40')."""
    return str(value).replace("%", "%%")


def _double_quoted(value):
    """A value in double quotes, with backslashes and double quotes escaped by a backslash."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def env_file_value(value):
    """Double-quote a value for a systemd EnvironmentFile."""
    return _double_quoted(value)


def pip_index(url):
    """Split a pip index URL into the URL pip may show and the credentials it must not.

    Returns {'url': URL without user:password@, 'machine': host, 'login': str, 'password': str}, logins
    empty when the URL carries none. pip itself puts the index URL on the command line of the pip it runs to
    build an sdist's build dependencies, so the credentials go into a netrc file (NETRC), which pip reads
    for that host, and never into the URL.
    """
    if not url:
        return {"url": "", "machine": "", "login": "", "password": ""}
    parts = urlsplit(str(url))
    if parts.username is None:
        return {"url": str(url), "machine": parts.hostname or "", "login": "", "password": ""}
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return {
        "url": urlunsplit(parts._replace(netloc=netloc)),
        "machine": parts.hostname or "",
        "login": unquote(parts.username),
        "password": unquote(parts.password or ""),
    }


def netrc_token(value):
    """One netrc token, double-quoted (Python's netrc reads quotes and backslash escapes since 3.10)."""
    return _double_quoted(value)


def differing_secrets(stored, given):
    """Names of the secrets whose stored values differ between hosts, leaving out those the operator gives.

    ``stored`` is each host's ``secrets.json`` (a list of dicts), ``given`` the operator's values by name
    (empty = not given). A given value replaces every stored one, so it cannot differ.
    """
    names = sorted({name for secrets in stored for name in secrets})
    return [
        name
        for name in names
        if not (given or {}).get(name)
        and len({secrets.get(name) for secrets in stored if secrets.get(name)}) > 1
    ]


class FilterModule:
    def filters(self):
        return {
            "airflow_preflight_errors": preflight_errors,
            "airflow_cfg_merge": cfg_merge,
            "airflow_pool_recycle": effective_pool_recycle,
            "airflow_row_level_locking": effective_row_level_locking,
            "airflow_crdb_engine_args": crdb_engine_args,
            "airflow_api_listen_host": api_listen_host,
            "airflow_api_base_url": api_base_url,
            "airflow_auth_manager_class": auth_manager_class,
            "airflow_constraints_url": constraints_url,
            "airflow_major": airflow_major,
            "airflow_env_file_value": env_file_value,
            "airflow_differing_secrets": differing_secrets,
            "airflow_crdb_isolation": crdb_isolation,
            "airflow_api_tls": api_tls,
            "airflow_pip_index": pip_index,
            "airflow_netrc_token": netrc_token,
        }
