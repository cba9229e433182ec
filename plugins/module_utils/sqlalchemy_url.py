# Copyright: (c) 2026, airflow_ops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build SQLAlchemy URLs for Airflow's metadata database from structured connection settings.

Pure functions, no third-party imports: the filter plugins ``sqlalchemy_url`` and ``airflow`` (the
airflow role's configuration) share them. User name, password and database are percent-quoted, so
a password such as ``p@ss:w/rd%`` survives the trip through the URL.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from ansible_collections.airflow_ops.metastore.plugins.module_utils.connection import (
    SSLMODES,
    default_sslmode,
)

# Sync drivers Airflow should use per backend (CockroachDB's dialect runs on psycopg2).
SYNC_DRIVERS = {
    "postgresql": "postgresql+psycopg2",
    "mysql": "mysql+mysqldb",
    "cockroachdb": "cockroachdb",
}
# Async drivers: Airflow 3 derives them itself for PostgreSQL and MySQL, not for CockroachDB.
ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "mysql": "mysql+aiomysql",
    "cockroachdb": "cockroachdb+asyncpg",
}
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "cockroachdb": 26257}
# libpq sslmode -> mysqlclient ssl_mode
MYSQL_SSL_MODES = {
    "disable": "DISABLED",
    "allow": "PREFERRED",
    "prefer": "PREFERRED",
    "require": "REQUIRED",
    "verify-ca": "VERIFY_CA",
    "verify-full": "VERIFY_IDENTITY",
}


class SqlalchemyUrlError(ValueError):
    """The connection settings cannot form a URL; the message says which setting to fix."""


def _ssl_query(backend, sslmode, sslrootcert, sslcert, sslkey, async_driver):
    """Return the TLS query parameters in the spelling the chosen driver understands.

    A CA file without a mode means verify-full (mysqlclient: VERIFY_IDENTITY), never require.
    """
    sslmode = default_sslmode(sslmode, sslrootcert)
    if sslmode and sslmode not in SSLMODES:
        raise SqlalchemyUrlError(f"sslmode {sslmode!r} is not one of {', '.join(SSLMODES)}")
    files = {"sslrootcert": sslrootcert, "sslcert": sslcert, "sslkey": sslkey}
    if backend == "mysql":
        query = {"ssl_mode": MYSQL_SSL_MODES[sslmode]} if sslmode else {}
        names = {"sslrootcert": "ssl_ca", "sslcert": "ssl_cert", "sslkey": "ssl_key"}
        query.update({names[k]: v for k, v in files.items() if v})
        return query
    if async_driver:
        # asyncpg takes only the mode as a keyword; it reads certificates from PGSSLROOTCERT & co.
        return {"ssl": sslmode} if sslmode else {}
    query = {"sslmode": sslmode} if sslmode else {}
    query.update({k: v for k, v in files.items() if v})
    return query


def sqlalchemy_url(
    backend,
    host,
    database,
    user,
    password=None,
    port=None,
    sslmode=None,
    sslrootcert=None,
    sslcert=None,
    sslkey=None,
    query=None,
    async_driver=False,
):
    """Return the SQLAlchemy URL for ``backend`` (postgresql, mysql or cockroachdb).

    ``query`` holds extra parameters appended after the TLS ones; ``async_driver`` selects the
    asyncio driver (``sql_alchemy_conn_async``).
    """
    if backend not in SYNC_DRIVERS:
        raise SqlalchemyUrlError(
            f"backend {backend!r} is not supported: use one of {', '.join(sorted(SYNC_DRIVERS))}"
        )
    for name, value in (("host", host), ("database", database), ("user", user)):
        if not value:
            raise SqlalchemyUrlError(f"the {name} of the {backend} connection is empty: set it")
    driver = (ASYNC_DRIVERS if async_driver else SYNC_DRIVERS)[backend]
    credentials = quote(str(user), safe="")
    if password:
        credentials += ":" + quote(str(password), safe="")
    host = str(host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    port = int(port) if port else DEFAULT_PORTS[backend]
    params = _ssl_query(backend, sslmode, sslrootcert, sslcert, sslkey, async_driver)
    params.update({str(k): str(v) for k, v in (query or {}).items()})
    url = f"{driver}://{credentials}@{host}:{port}/{quote(str(database), safe='')}"
    if params:
        url += "?" + urlencode(params, quote_via=quote)
    return url


SETTING_KEYS = (
    "backend",
    "host",
    "database",
    "user",
    "password",
    "port",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "query",
)


def url_from_settings(settings, async_driver=False):
    """``sqlalchemy_url`` from a dict of settings; an unknown key is a SqlalchemyUrlError that names it."""
    if not isinstance(settings, dict):
        raise SqlalchemyUrlError("the connection settings must be a dict")
    unknown = sorted(set(settings) - set(SETTING_KEYS))
    if unknown:
        raise SqlalchemyUrlError(f"unknown key(s) {', '.join(unknown)}; known: {', '.join(SETTING_KEYS)}")
    return sqlalchemy_url(async_driver=bool(async_driver), **settings)
