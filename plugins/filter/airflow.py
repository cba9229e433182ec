# Copyright: (c) 2026, airflow_ops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the ``airflow`` role (airflow_ops.metastore.airflow_*): its decisions as plain functions.

- ``airflow_config``: the airflow.cfg sections (and the secret environment) for a backend and an
  Airflow major version;
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


def _secret_options(major):
    """(section, key, secret name) of every secret airflow.cfg may hold."""
    web = ("api", "secret_key") if major == 3 else ("webserver", "secret_key")
    options = [("core", "fernet_key", "fernet_key"), (*web, "secret_key")]
    if major == 3:
        options.append(("api_auth", "jwt_secret", "jwt_secret"))
    return options


def api_tls(api):
    """True when the api-server / webserver is given a certificate and its key (airflow_api_tls_*)."""
    return bool((api or {}).get("tls_cert") and (api or {}).get("tls_key"))


def effective_api_host(api):
    """The listen address: the operator's, else every address with TLS and the loopback one without.

    Without TLS the login (and the simple auth manager, meant for development) would cross the network in
    plain HTTP: the default keeps it on the host, for a TLS-terminating proxy or an SSH tunnel.
    """
    host = (api or {}).get("host")
    if host:
        return host
    return ANY_ADDRESS if api_tls(api) else LOOPBACK


def _web_sections(p, major):
    api = p.get("api") or {}
    host, port, workers = effective_api_host(api), api.get("port", 8080), api.get("workers", 1)
    tls = api_tls(api)
    base_url = api.get("base_url") or f"{'https' if tls else 'http'}://localhost:{port}"
    if major == 2:
        webserver = {
            "web_server_host": host,
            "web_server_port": port,
            "workers": workers,
            "base_url": base_url,
        }
        if tls:
            webserver.update(web_server_ssl_cert=api["tls_cert"], web_server_ssl_key=api["tls_key"])
        return {
            "webserver": webserver,
            "api": {"auth_backends": "airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session"},
        }
    section = {"host": host, "port": port, "workers": workers, "base_url": base_url}
    if tls:
        section.update(ssl_cert=api["tls_cert"], ssl_key=api["tls_key"])
    return {
        "api": section,
        "core": {"execution_api_server_url": base_url.rstrip("/") + "/execution/"},
    }


def _auth_sections(p, major):
    if major == 2:
        return {}
    core = {"auth_manager": AUTH_MANAGERS[p.get("auth_manager") or "simple"]}
    if p.get("auth_manager", "simple") == "simple":
        core["simple_auth_manager_users"] = f"{p.get('admin_username', 'admin')}:admin"
        core["simple_auth_manager_passwords_file"] = p["simple_auth_passwords_file"]
    return {"core": core}


def _merge(target, extra):
    for section, options in extra.items():
        target.setdefault(section, {}).update(options)
    return target


def airflow_config(p):
    """Return {'cfg': {section: {key: str}}, 'env': {AIRFLOW__SECTION__KEY: str}}.

    With ``secrets_in_env_file`` the secrets (keys and database URLs) move from 'cfg' to 'env', the
    environment file systemd and the role's commands load.
    """
    major = airflow_major(p["version"])
    db = dict(p["db"])
    backend = db["backend"]
    database = {
        "sql_alchemy_conn": url_from_settings(db),
        "sql_alchemy_pool_recycle": effective_pool_recycle(
            backend, p.get("pool_recycle"), p.get("proxy_timeout")
        ),
        "sql_alchemy_pool_pre_ping": True,
    }
    if backend == "cockroachdb" and major == 3:
        # Airflow 3 cannot derive the async URL for the cockroachdb dialect itself.
        database["sql_alchemy_conn_async"] = url_from_settings(db, async_driver=True)
    if backend == "cockroachdb":
        # The sync engine (scheduler, workers, API writes) asks for the rule's isolation; the async
        # engine gets no engine args from Airflow, and takes the Airflow user's default, which the
        # cockroachdb role sets to the same rule (ALTER ROLE ... SET default_transaction_isolation).
        isolation = crdb_isolation(p.get("cockroachdb_version"))
        database["sql_alchemy_engine_args"] = json.dumps({"isolation_level": isolation})
    cfg = {
        "core": {
            "dags_folder": p["dags_folder"],
            "executor": p.get("executor", "LocalExecutor"),
            "parallelism": p.get("parallelism", 8),
            "load_examples": _to_bool(p.get("load_examples", False)),
        },
        "database": database,
        "logging": {"base_log_folder": p["logs_folder"]},
        "scheduler": {
            "use_row_level_locking": effective_row_level_locking(
                backend, p.get("use_row_level_locking"), p.get("cockroachdb_version")
            )
        },
    }
    _merge(cfg, _web_sections(p, major))
    _merge(cfg, _auth_sections(p, major))
    secrets = p.get("secrets") or {}
    for section, key, name in _secret_options(major):
        cfg.setdefault(section, {})[key] = secrets.get(name, "")
    _merge(cfg, p.get("overrides") or {})
    cfg = {s: {k: _cfg_value(v) for k, v in opts.items()} for s, opts in cfg.items()}
    env = {}
    if _to_bool(p.get("secrets_in_env_file") or False):
        moved = [option[:2] for option in _secret_options(major)]
        moved += [("database", k) for k in ("sql_alchemy_conn", "sql_alchemy_conn_async")]
        for section, key in moved:
            if key in cfg.get(section, {}):
                env[f"AIRFLOW__{section.upper()}__{key.upper()}"] = cfg[section].pop(key)
    return {"cfg": cfg, "env": env}


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
            "airflow_config": airflow_config,
            "airflow_preflight_errors": preflight_errors,
            "airflow_constraints_url": constraints_url,
            "airflow_major": airflow_major,
            "airflow_cfg_escape": cfg_escape,
            "airflow_env_file_value": env_file_value,
            "airflow_differing_secrets": differing_secrets,
            "airflow_crdb_isolation": crdb_isolation,
            "airflow_api_tls": api_tls,
            "airflow_pip_index": pip_index,
            "airflow_netrc_token": netrc_token,
        }
