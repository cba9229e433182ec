"""The airflow role's airflow.cfg: rendered from the real template for each backend x Airflow major and
read back the way Airflow reads it (ConfigParser with '%' interpolation); plus its preflight checks.

Rendering is Ansible's own templating (its Templar, as the template module calls it) over the role's
defaults/main.yml and vars/main.yml, with a case's settings as the highest-precedence variables: what the
role writes, not a copy of it. Not proven here: the template module's file handling (Molecule does that).
"""

from __future__ import annotations

import configparser
import functools
import json
import sys
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
from ansible_collections.airflow_ops.metastore.plugins.filter import airflow as airflow_role
from sqlalchemy.engine import make_url

from tests.support.collection import ensure_collection_importable

ROLE = Path(__file__).resolve().parents[2] / "roles" / "airflow"

ANY_ADDRESS = "0.0.0.0"  # noqa: S104 - what the api-server listens on in the tests
PASSWORD = "p@ss:w/rd%"
SECRETS = {"fernet_key": "F" * 43 + "=", "secret_key": "s3cret%key", "jwt_secret": "jwt-secret"}


def inputs(backend="postgresql", version="3.3.2", **extra):
    params = {
        "version": version,
        "db": {
            "backend": backend,
            "host": "db.internal",
            "port": None,
            "database": "airflow",
            "user": "airflow",
            "password": PASSWORD,
            "sslmode": None,
            "sslrootcert": None,
            "sslcert": None,
            "sslkey": None,
            "query": {},
        },
        "dags_folder": "/opt/airflow/dags",
        "logs_folder": "/opt/airflow/logs",
        "executor": "LocalExecutor",
        "parallelism": 4,
        "api": {"host": ANY_ADDRESS, "port": 8080, "workers": 1, "base_url": ""},
        "auth_manager": "simple" if version.startswith("3") else "fab",
        "admin_username": "admin",
        "simple_auth_passwords_file": "/opt/airflow/simple_auth_manager_passwords.json",
        "secrets": SECRETS,
        "secrets_in_env_file": False,
        "overrides": {},
    }
    params.update(extra)
    return params


def _trusted(value):
    """Role files are templates to Ansible (trusted); the case's own values stay plain data."""
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {k: _trusted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_trusted(v) for v in value]
    return value


def role_vars(params):
    """The role variables an operator would set for ``params`` (the preflight filter's input shape)."""
    db, api = params["db"], params.get("api") or {}

    def blank(value):  # None in the filter's input is the role's empty string
        return "" if value is None else value

    variables = {
        "airflow_version": params["version"],
        "airflow_db_backend": db["backend"],
        "airflow_db_host": db["host"],
        "airflow_db_port": blank(db["port"]),
        "airflow_db_name": db["database"],
        "airflow_db_user": db["user"],
        "airflow_db_password": db["password"],
        **{f"airflow_db_{k}": blank(db[k]) for k in ("sslmode", "sslrootcert", "sslcert", "sslkey")},
        "airflow_db_query": db["query"],
        "airflow_db_pool_recycle": blank(params.get("pool_recycle")),
        "airflow_proxy_timeout_seconds": blank(params.get("proxy_timeout")),
        "airflow_cockroachdb_version": blank(params.get("cockroachdb_version")),
        "airflow_use_row_level_locking": blank(params.get("use_row_level_locking")),
        "airflow_home": str(Path(params["simple_auth_passwords_file"]).parent),
        "airflow_dags_folder": params["dags_folder"],
        "airflow_logs_folder": params["logs_folder"],
        "airflow_executor": params["executor"],
        "airflow_parallelism": params["parallelism"],
        "airflow_api_host": api.get("host", ""),
        "airflow_api_port": api.get("port", 8080),
        "airflow_api_workers": api.get("workers", 1),
        "airflow_api_base_url": api.get("base_url", ""),
        "airflow_api_tls_cert": api.get("tls_cert", ""),
        "airflow_api_tls_key": api.get("tls_key", ""),
        "airflow_auth_manager": params["auth_manager"],
        "airflow_admin_username": params["admin_username"],
        "airflow_secrets_in_env_file": params["secrets_in_env_file"],
        "airflow_config_overrides": params["overrides"],
        "_airflow_secrets": params["secrets"],  # the fact secrets.yml sets before the template task
        "ansible_managed": "managed by Ansible",
    }
    if "load_examples" in params:
        variables["airflow_load_examples"] = params["load_examples"]
    return variables


@functools.cache
def _collection_loader():
    """Ansible's collection loader, as ansible-playbook installs it: finds airflow_ops.metastore.* filters.

    The tests import the collection's code from sys.path first (tests/support/collection.py); the loader
    must own the collection's packages (it reads their meta/runtime.yml), so their sys.path copies are
    dropped. Modules already imported stay as they are.
    """
    for name in [n for n in sys.modules if n.split(".")[0] == "ansible_collections"]:
        if hasattr(sys.modules[name], "__path__"):
            del sys.modules[name]
    _AnsibleCollectionFinder(paths=[str(ensure_collection_importable())])._install()


def render_text(template, params):
    """``template`` (under the role's templates/) rendered as the template module renders it."""
    _collection_loader()
    variables = {}
    for name in ("defaults", "vars"):
        variables.update(_trusted(yaml.safe_load((ROLE / name / "main.yml").read_text())))
    variables.update(role_vars(params))
    templar = Templar(loader=DataLoader(), variables=variables)
    source = trust_as_template((ROLE / "templates" / template).read_text())
    return templar.template(source, escape_backslashes=False, overrides={"trim_blocks": True})


def render(params):
    text = render_text("airflow.cfg.j2", params)
    parser = configparser.ConfigParser()  # Airflow's parser interpolates '%' the same way
    parser.read_string(text)
    return parser, render_text("airflow.env.j2", params)


MATRIX = [(b, v) for b in ("postgresql", "mysql", "cockroachdb") for v in ("2.11.2", "3.3.2")]
SCHEMES = {"postgresql": "postgresql+psycopg2", "mysql": "mysql+mysqldb", "cockroachdb": "cockroachdb"}


@pytest.mark.parametrize(("backend", "version"), MATRIX)
def test_sql_alchemy_conn_reads_back_with_the_quoted_password_intact(backend, version):
    cfg, _unused = render(inputs(backend, version))
    url = make_url(cfg.get("database", "sql_alchemy_conn"))
    assert url.drivername == SCHEMES[backend]
    assert (url.username, url.password, url.host, url.database) == (
        "airflow",
        PASSWORD,
        "db.internal",
        "airflow",
    )
    assert url.port == {"postgresql": 5432, "mysql": 3306, "cockroachdb": 26257}[backend]


@pytest.mark.parametrize(("backend", "version"), MATRIX)
def test_pool_recycle_default_follows_the_backend(backend, version):
    cfg, _unused = render(inputs(backend, version))
    expected = 300 if backend == "cockroachdb" else 1800
    assert cfg.getint("database", "sql_alchemy_pool_recycle") == expected
    assert cfg.getboolean("database", "sql_alchemy_pool_pre_ping") is True


@pytest.mark.parametrize(("backend", "version"), MATRIX)
def test_secrets_land_in_the_section_of_that_airflow_major(backend, version):
    cfg, _unused = render(inputs(backend, version))
    assert cfg.get("core", "fernet_key") == SECRETS["fernet_key"]
    if version.startswith("3"):
        assert cfg.get("api", "secret_key") == SECRETS["secret_key"]
        assert cfg.get("api_auth", "jwt_secret") == SECRETS["jwt_secret"]
        assert not cfg.has_section("webserver")
    else:
        assert cfg.get("webserver", "secret_key") == SECRETS["secret_key"]
        assert not cfg.has_section("api_auth")


def test_airflow3_layout_has_api_server_execution_api_and_simple_auth_manager():
    cfg = render(inputs("postgresql", "3.3.2", api={"host": ANY_ADDRESS, "port": 8081, "workers": 2}))[0]
    assert cfg.get("api", "port") == "8081"
    assert cfg.get("api", "workers") == "2"
    assert cfg.get("core", "execution_api_server_url") == "http://localhost:8081/execution/"
    assert cfg.get("core", "auth_manager").endswith("SimpleAuthManager")
    assert cfg.get("core", "simple_auth_manager_users") == "admin:admin"
    assert cfg.get("core", "simple_auth_manager_passwords_file").endswith(".json")


def role_default_api(**extra):
    """The role's default api settings (defaults/main.yml), with ``extra`` set by the operator."""
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    api = {
        "host": defaults["airflow_api_host"],
        "port": defaults["airflow_api_port"],
        "workers": defaults["airflow_api_workers"],
        "base_url": defaults["airflow_api_base_url"],
        "tls_cert": defaults.get("airflow_api_tls_cert", ""),
        "tls_key": defaults.get("airflow_api_tls_key", ""),
    }
    return {**api, **extra}


@pytest.mark.parametrize(
    ("version", "section", "key"), [("3.3.2", "api", "host"), ("2.11.2", "webserver", "web_server_host")]
)
def test_by_default_the_login_stays_on_the_host_in_plain_http(version, section, key):
    # Issue 15: the defaults once listened on 0.0.0.0 in plain HTTP (simple auth manager: for development).
    cfg = render(inputs("postgresql", version, api=role_default_api()))[0]
    assert cfg.get(section, key) == "127.0.0.1"
    assert not cfg.has_option(section, "ssl_cert" if version.startswith("3") else "web_server_ssl_cert")


@pytest.mark.parametrize(
    ("version", "section", "prefix"), [("3.3.2", "api", "ssl_"), ("2.11.2", "webserver", "web_server_ssl_")]
)
def test_with_a_certificate_the_server_listens_everywhere_over_https(version, section, prefix):
    tls = {"tls_cert": "/etc/airflow/tls/api.crt", "tls_key": "/etc/airflow/tls/api.key"}
    cfg = render(inputs("postgresql", version, api=role_default_api(**tls)))[0]
    host_key = "host" if version.startswith("3") else "web_server_host"
    assert cfg.get(section, host_key) == "0.0.0.0"  # noqa: S104
    assert cfg.get(section, prefix + "cert") == tls["tls_cert"]
    assert cfg.get(section, prefix + "key") == tls["tls_key"]
    assert cfg.get(section, "base_url") == "https://localhost:8080"
    if version.startswith("3"):
        assert cfg.get("core", "execution_api_server_url") == "https://localhost:8080/execution/"


def test_an_address_the_operator_sets_wins_over_the_default():
    cfg = render(inputs("postgresql", "3.3.2", api=role_default_api(host="10.0.0.5")))[0]
    assert cfg.get("api", "host") == "10.0.0.5"
    assert cfg.get("api", "base_url") == "http://localhost:8080"


def test_a_certificate_without_its_key_is_refused():
    errors = preflight(api=role_default_api(tls_cert="/etc/airflow/tls/api.crt"))
    assert errors == [
        "airflow_api_tls_cert and airflow_api_tls_key go together: set both (the certificate and its "
        "private key, files on the host the airflow user can read) or neither"
    ]


def test_airflow2_layout_has_webserver_and_basic_auth_for_the_rest_api():
    cfg, _unused = render(inputs("postgresql", "2.11.2"))
    assert cfg.get("webserver", "web_server_port") == "8080"
    assert "basic_auth" in cfg.get("api", "auth_backends")
    assert not cfg.has_option("core", "auth_manager")
    assert not cfg.has_option("core", "execution_api_server_url")


def test_cockroachdb_on_airflow3_gets_an_asyncpg_url_airflow_cannot_derive():
    cfg, _unused = render(inputs("cockroachdb", "3.3.2"))
    url = make_url(cfg.get("database", "sql_alchemy_conn_async"))
    assert url.drivername == "cockroachdb+asyncpg"
    assert url.password == PASSWORD


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_other_backends_leave_the_async_url_to_airflow(backend):
    cfg, _unused = render(inputs(backend, "3.3.2"))
    assert not cfg.has_option("database", "sql_alchemy_conn_async")


@pytest.mark.parametrize(
    ("backend", "crdb_version", "explicit", "expected"),
    [
        ("cockroachdb", "22.1.9", None, False),
        ("cockroachdb", "v22.2.0", None, True),
        ("cockroachdb", "23.2", None, True),
        ("cockroachdb", None, None, False),  # unknown version: the safe side
        ("cockroachdb", "24.1", False, False),
        ("postgresql", None, None, True),
        ("postgresql", None, False, False),
        ("mysql", None, None, True),
    ],
)
def test_row_level_locking_is_off_without_skip_locked_or_when_asked(
    backend, crdb_version, explicit, expected
):
    cfg, _unused = render(
        inputs(backend, "3.3.2", cockroachdb_version=crdb_version, use_row_level_locking=explicit)
    )
    assert cfg.getboolean("scheduler", "use_row_level_locking") is expected


def test_pool_recycle_drops_below_a_short_proxy_timeout_when_not_set():
    cfg, _unused = render(inputs("cockroachdb", "3.3.2", proxy_timeout=240))
    assert cfg.getint("database", "sql_alchemy_pool_recycle") == 120


def test_overrides_add_and_replace_options_per_section():
    overrides = {"core": {"parallelism": 2, "default_timezone": "Europe/Paris"}, "smtp": {"smtp_port": 25}}
    cfg, _unused = render(inputs(overrides=overrides))
    assert cfg.get("core", "parallelism") == "2"
    assert cfg.get("core", "default_timezone") == "Europe/Paris"
    assert cfg.get("smtp", "smtp_port") == "25"


def test_an_overridden_key_keeps_its_one_line_and_new_keys_end_their_section():
    overrides = {"core": {"parallelism": 2, "default_timezone": "UTC"}, "smtp": {"smtp_port": 25}}
    text = render_text("airflow.cfg.j2", inputs(overrides=overrides))
    assert text.count("parallelism = ") == 1
    assert "load_examples = False\nexecution_api_server_url" in text  # the role's order is kept
    assert "fernet_key = " + SECRETS["fernet_key"] + "\ndefault_timezone = UTC\n\n[database]" in text
    assert text.endswith("\n[smtp]\nsmtp_port = 25\n")


def test_overrides_of_what_the_environment_file_holds_go_there():
    overrides = {"database": {"sql_alchemy_conn": "postgresql://elsewhere/airflow"}}
    cfg, env_text = render(inputs(secrets_in_env_file=True, overrides=overrides))
    assert not cfg.has_option("database", "sql_alchemy_conn")
    assert 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql://elsewhere/airflow"' in env_text


@pytest.mark.parametrize("version", ["2.11.2", "3.3.2"])
def test_env_file_mode_moves_every_secret_out_of_airflow_cfg(version):
    cfg, env_text = render(inputs("cockroachdb", version, secrets_in_env_file=True))
    text = "\n".join(f"{k}={v}" for s in cfg.sections() for k, v in cfg.items(s, raw=True))
    for secret in (*SECRETS.values(), "p%40ss"):
        if secret == SECRETS["jwt_secret"] and version.startswith("2"):
            continue
        assert secret not in text
        assert secret in env_text
    assert not cfg.has_option("database", "sql_alchemy_conn")
    assert 'AIRFLOW__CORE__FERNET_KEY="' in env_text
    # systemd takes '%' literally in environment files: the URL keeps its single percent signs
    assert 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="cockroachdb://airflow:p%40ss%3Aw%2Frd%25@' in env_text


def test_multiline_values_are_refused():
    with pytest.raises(AnsibleFilterError, match="one line"):
        render(inputs(overrides={"core": {"x": "a\nb"}}))


# --- constraints URL ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("airflow", "python", "url"),
    [
        ("3.3.2", "3.11.2", "constraints-3.3.2/constraints-3.11.txt"),
        ("2.11.2", "3.12", "constraints-2.11.2/constraints-3.12.txt"),
    ],
)
def test_constraints_url_is_derived_from_airflow_and_python_major_minor(airflow, python, url):
    assert airflow_role.constraints_url(airflow, python) == (
        "https://raw.githubusercontent.com/apache/airflow/" + url
    )


def test_constraints_pin_reads_a_pip_freeze_and_ignores_official_files():
    assert airflow_role.constraints_pin("# x\napache-airflow-core==3.3.2\napache-airflow==3.3.2\n") == "3.3.2"
    assert airflow_role.constraints_pin("apache-airflow-providers-fab==1.5.4\n") is None


# --- preflight ---------------------------------------------------------------------------------


def preflight(**extra):
    params = inputs(**{k: v for k, v in extra.items() if k in ("backend", "version")})
    params.update({k: v for k, v in extra.items() if k not in ("backend", "version")})
    params.setdefault("services", ["scheduler"])
    return airflow_role.preflight_errors(params)


def test_valid_input_passes_preflight():
    assert preflight() == []
    assert preflight(version="2.11.2", services=["webserver", "scheduler", "triggerer"]) == []


def test_unknown_backend_is_named_with_the_supported_ones():
    (error,) = preflight(backend="oracle")
    assert error == "airflow_db_backend 'oracle' is not supported: use one of cockroachdb, mysql, postgresql"


def test_an_unknown_database_setting_is_named_not_a_python_error():
    params = inputs()
    params["db"]["sslmdoe"] = "require"
    (error,) = airflow_role.preflight_errors({**params, "services": ["scheduler"]})
    assert error.startswith("airflow_db_*: unknown key(s) sslmdoe; known: backend, host")


@pytest.mark.parametrize("version", ["2.10.5", "1.10.15", "4.0.0"])
def test_airflow_version_without_usable_constraints_is_refused(version):
    errors = preflight(version=version)
    assert any(f"airflow_version {version} is not supported" in e for e in errors)


def test_missing_constraints_file_is_refused(tmp_path):
    (error,) = preflight(constraints_file=str(tmp_path / "nope.txt"))
    assert "does not exist on the controller" in error


def test_constraints_file_for_another_airflow_version_is_refused(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("apache-airflow==2.11.2\nSQLAlchemy==1.4.54\n")
    (error,) = preflight(constraints_file=str(path))
    assert "pins apache-airflow==2.11.2, not airflow_version 3.3.2" in error
    path.write_text("apache-airflow==3.3.2\n")
    assert preflight(constraints_file=str(path)) == []


def test_pool_recycle_at_or_above_the_proxy_timeout_is_refused():
    (error,) = preflight(backend="cockroachdb", pool_recycle=600, proxy_timeout=600)
    assert "airflow_db_pool_recycle 600 s is not below the proxy's timeout of 600 s" in error
    assert preflight(backend="cockroachdb", pool_recycle=599, proxy_timeout=600) == []


def test_two_schedulers_without_row_level_locking_are_refused():
    (error,) = preflight(backend="cockroachdb", cockroachdb_version="22.1", scheduler_hosts=2)
    assert "2 hosts run the scheduler, and this database allows 1" in error
    assert "use_row_level_locking is off" in error
    (error,) = preflight(backend="postgresql", use_row_level_locking=False, scheduler_hosts=2)
    assert "use_row_level_locking is off" in error
    assert preflight(backend="postgresql", use_row_level_locking=False, scheduler_hosts=1) == []
    assert preflight(backend="postgresql", scheduler_hosts=3) == []


@pytest.mark.parametrize("crdb_version", ["22.2", "v23.2.9", "24.1", "v24.1.4", None])
def test_two_schedulers_under_serializable_cockroachdb_are_refused(crdb_version):
    # SKIP LOCKED exists from v22.2, but until v24.1.5 Airflow runs SERIALIZABLE there, and its scheduler
    # does not retry the 40001 errors two schedulers provoke (apache/airflow#69556).
    (error,) = preflight(backend="cockroachdb", cockroachdb_version=crdb_version, scheduler_hosts=2)
    assert "2 hosts run the scheduler, and this database allows 1" in error
    assert preflight(backend="cockroachdb", cockroachdb_version=crdb_version, scheduler_hosts=1) == []


@pytest.mark.parametrize("crdb_version", ["v24.1.5", "24.3", "v25.4.1", "26.2"])
def test_read_committed_cockroachdb_allows_several_schedulers(crdb_version):
    assert preflight(backend="cockroachdb", cockroachdb_version=crdb_version, scheduler_hosts=3) == []


@pytest.mark.parametrize(
    ("crdb_version", "isolation"),
    [("v25.4.1", "READ COMMITTED"), ("24.1.5", "READ COMMITTED"), ("24.1", "SERIALIZABLE"),
     ("23.2", "SERIALIZABLE"), (None, "SERIALIZABLE")],
)  # fmt: skip
def test_cockroachdb_engine_asks_for_the_rules_isolation(crdb_version, isolation):
    cfg, _unused = render(inputs("cockroachdb", "3.3.2", cockroachdb_version=crdb_version))
    assert json.loads(cfg.get("database", "sql_alchemy_engine_args")) == {"isolation_level": isolation}


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_other_backends_keep_airflows_own_engine_args(backend):
    # Airflow sets READ COMMITTED for MySQL itself and adds PostgreSQL's executemany defaults only when
    # sql_alchemy_engine_args is unset: writing it would lose those.
    cfg, _unused = render(inputs(backend, "3.3.2"))
    assert not cfg.has_option("database", "sql_alchemy_engine_args")


def test_airflow2_service_names_and_auth_manager_are_checked_against_the_major():
    errors = preflight(services=["webserver"])
    assert errors == [
        "airflow_services webserver do not exist in Airflow 3: use some of "
        "api-server, scheduler, dag-processor, triggerer"
    ]
    errors = preflight(version="2.11.2", auth_manager="simple")
    assert errors == ["Airflow 2 has only the FAB auth manager: set airflow_auth_manager to fab"]


def test_empty_passwords_are_refused_with_the_variable_to_set():
    params = inputs()
    params["db"]["password"] = ""
    params.update(services=[], admin_create=True, admin_password="")
    errors = airflow_role.preflight_errors(params)
    assert any(e.startswith("airflow_db_password is empty") for e in errors)
    assert any(e.startswith("airflow_admin_password is empty") for e in errors)
