"""The airflow role's airflow.cfg: a database CA without an sslmode gives a URL that verifies the server.

Renders the role's own template through its filter (as test_airflow_cfg.py does). Proves the URL Airflow
reads asks libpq for verify-full and mysqlclient for VERIFY_IDENTITY; that those drivers then refuse a
wrong host name is shown by tests/integration/test_connection_tls.py (libpq) and not here for mysqlclient.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from tests.unit.test_airflow_cfg import inputs, render

EXPECTED = {
    "postgresql": {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/db-ca.crt"},
    "mysql": {"ssl_mode": "VERIFY_IDENTITY", "ssl_ca": "/etc/ssl/db-ca.crt"},
}


@pytest.mark.parametrize("version", ["2.11.2", "3.3.2"])
@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_ca_alone_makes_airflow_verify_the_database_server(backend, version):
    without_ca, _unused = render(inputs(backend, version))
    assert make_url(without_ca.get("database", "sql_alchemy_conn")).query == {}
    params = inputs(backend, version)
    params["db"]["sslrootcert"] = "/etc/ssl/db-ca.crt"
    cfg, _unused = render(params)
    assert make_url(cfg.get("database", "sql_alchemy_conn")).query == EXPECTED[backend]
