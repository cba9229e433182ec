"""The SQLAlchemy URL builder: quoting, drivers, TLS spelling, and a real login with a nasty password."""

from __future__ import annotations

import uuid

import psycopg2
import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.airflow_ops.metastore.plugins.filter.sqlalchemy import (
    sqlalchemy_url as url_filter,
)
from ansible_collections.airflow_ops.metastore.plugins.module_utils.sqlalchemy_url import (
    SqlalchemyUrlError,
    sqlalchemy_url,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

NASTY = "p@ss:w/rd%40 #?&="


@pytest.mark.parametrize(
    ("backend", "driver", "port"),
    [
        ("postgresql", "postgresql+psycopg2", 5432),
        ("mysql", "mysql+mysqldb", 3306),
        ("cockroachdb", "cockroachdb", 26257),
    ],
)
def test_password_with_reserved_characters_round_trips_through_sqlalchemy(backend, driver, port):
    url = sqlalchemy_url(backend, "db.example", "airflow", "air@flow", NASTY)
    parsed = make_url(url)
    assert parsed.drivername == driver
    assert (parsed.username, parsed.password) == ("air@flow", NASTY)
    assert (parsed.host, parsed.port, parsed.database) == ("db.example", port, "airflow")
    assert "@" not in url.split("://", 1)[1].rsplit("@", 1)[0].replace("%40", "")


def test_async_url_for_cockroachdb_uses_asyncpg_and_ssl_keyword():
    url = sqlalchemy_url(
        "cockroachdb",
        "lb",
        "airflow",
        "u",
        "pw",
        26257,
        sslmode="verify-full",
        sslrootcert="/etc/ca.crt",
        async_driver=True,
    )
    assert url == "cockroachdb+asyncpg://u:pw@lb:26257/airflow?ssl=verify-full"


def test_libpq_tls_settings_become_query_parameters():
    url = sqlalchemy_url(
        "postgresql",
        "db",
        "airflow",
        "u",
        "pw",
        sslmode="verify-ca",
        sslrootcert="/etc/a b/ca.crt",
        sslcert="/c.crt",
        sslkey="/c.key",
    )
    assert make_url(url).query == {
        "sslmode": "verify-ca",
        "sslrootcert": "/etc/a b/ca.crt",
        "sslcert": "/c.crt",
        "sslkey": "/c.key",
    }


def test_mysql_tls_settings_use_mysqlclient_names():
    url = sqlalchemy_url("mysql", "db", "airflow", "u", "pw", sslmode="require", sslrootcert="/ca.pem")
    assert make_url(url).query == {"ssl_mode": "REQUIRED", "ssl_ca": "/ca.pem"}


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("postgresql", {"sslmode": "verify-full", "sslrootcert": "/etc/db/ca.crt"}),
        ("mysql", {"ssl_mode": "VERIFY_IDENTITY", "ssl_ca": "/etc/db/ca.crt"}),
    ],
)
def test_a_ca_without_sslmode_means_verify_full_not_require(backend, expected):
    """A CA and no mode: the server is checked against the CA and its name (issue 15), never 'require'.

    Proves the URL's parameters; that libpq and mysqlclient then refuse a wrong host name is shown by the
    TLS integration test (libpq) and the mysql Molecule scenario (the server side).
    """
    url = sqlalchemy_url(backend, "db", "airflow", "u", "pw", sslrootcert="/etc/db/ca.crt")
    assert make_url(url).query == expected


def test_an_explicit_sslmode_wins_over_the_ca_default_and_no_ca_adds_no_mode():
    explicit = sqlalchemy_url("postgresql", "db", "a", "u", "pw", sslmode="verify-ca", sslrootcert="/ca")
    assert make_url(explicit).query == {"sslmode": "verify-ca", "sslrootcert": "/ca"}
    assert "ssl" not in sqlalchemy_url("mysql", "db", "airflow", "u", "pw")
    assert "ssl" not in sqlalchemy_url("postgresql", "db", "airflow", "u", "pw")
    # asyncpg reads the CA from PGSSLROOTCERT; the mode still defaults to verify-full.
    async_url = sqlalchemy_url("postgresql", "db", "airflow", "u", "pw", sslrootcert="/ca", async_driver=True)
    assert make_url(async_url).query == {"ssl": "verify-full"}


def test_ipv6_host_is_bracketed_and_extra_query_is_kept():
    url = sqlalchemy_url("postgresql", "::1", "airflow", "u", "pw", query={"application_name": "af"})
    assert url == "postgresql+psycopg2://u:pw@[::1]:5432/airflow?application_name=af"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backend": "sqlite"}, "backend 'sqlite' is not supported"),
        ({"host": ""}, "the host of the postgresql connection is empty"),
        ({"sslmode": "on"}, "sslmode 'on' is not one of"),
    ],
)
def test_bad_settings_raise_a_message_naming_the_setting(kwargs, message):
    settings = {"backend": "postgresql", "host": "db", "database": "a", "user": "u", **kwargs}
    with pytest.raises(SqlalchemyUrlError, match=message):
        sqlalchemy_url(**settings)


def test_filter_rejects_unknown_keys_and_wraps_errors():
    with pytest.raises(AnsibleFilterError, match="unknown key"):
        url_filter({"backend": "postgresql", "hostname": "x"})
    with pytest.raises(AnsibleFilterError, match="not supported"):
        url_filter({"backend": "oracle", "host": "x", "database": "a", "user": "u"})


@pytest.mark.integration
def test_built_url_logs_in_to_real_postgresql_with_reserved_character_password(postgres_server, pg_database):
    role = f"r_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(postgres_server.url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", (NASTY,))
    try:
        url = url_filter(
            {
                "backend": "postgresql",
                "host": postgres_server.host,
                "port": postgres_server.port,
                "database": pg_database,
                "user": role,
                "password": NASTY,
            }
        )
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("select current_user")).scalar() == role
        engine.dispose()
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP ROLE {role}")
        admin.close()
