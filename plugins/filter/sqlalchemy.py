# Copyright: (c) 2026, airflow_ops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``airflow_ops.metastore.sqlalchemy_url``: structured connection settings -> SQLAlchemy URL."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.airflow_ops.metastore.plugins.module_utils.sqlalchemy_url import (
    SqlalchemyUrlError,
    url_from_settings,
)

DOCUMENTATION = r"""
name: sqlalchemy_url
short_description: Build a SQLAlchemy URL for Airflow's metadata database
version_added: 0.1.0
author: airflow_ops maintainers
description:
  - Turns structured connection settings into a SQLAlchemy URL with the user name, password and
    database percent-quoted, so passwords containing C(@), C(:), C(/) or C(%) work.
  - Drivers are C(postgresql+psycopg2), C(mysql+mysqldb) and C(cockroachdb) (psycopg2); with
    O(async_driver=true) C(postgresql+asyncpg), C(mysql+aiomysql) and C(cockroachdb+asyncpg).
  - TLS settings are spelled as the driver expects them (C(sslmode)/C(sslrootcert) for libpq,
    C(ssl_mode)/C(ssl_ca) for mysqlclient, C(ssl) for asyncpg).
  - A C(sslrootcert) without C(sslmode) means C(verify-full) (mysqlclient C(VERIFY_IDENTITY)), so the
    server's certificate must come from that CA and name C(host). An explicit C(sslmode) is kept as given.
options:
  _input:
    description:
      - The connection settings.
      - Keys C(backend) (V(postgresql), V(mysql) or V(cockroachdb)), C(host), C(database), C(user)
        are required; C(password), C(port), C(sslmode), C(sslrootcert), C(sslcert), C(sslkey) and
        C(query) (a dict of extra URL parameters) are optional.
    type: dict
    required: true
  async_driver:
    description: Build the URL for the asyncio driver (Airflow's C(sql_alchemy_conn_async)).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Build Airflow's connection URL
  ansible.builtin.set_fact:
    airflow_conn: >-
      {{ {'backend': 'postgresql', 'host': 'db1', 'database': 'airflow', 'user': 'airflow',
          'password': 'p@ss:w/rd%', 'sslmode': 'require'} | airflow_ops.metastore.sqlalchemy_url }}
  # postgresql+psycopg2://airflow:p%40ss%3Aw%2Frd%25@db1:5432/airflow?sslmode=require
  no_log: true
"""

RETURN = r"""
_value:
  description: The SQLAlchemy URL.
  type: str
"""


def sqlalchemy_url(settings, async_driver=False):
    try:
        return url_from_settings(settings, async_driver)
    except SqlalchemyUrlError as exc:
        raise AnsibleFilterError(f"sqlalchemy_url: {exc}") from exc


class FilterModule:
    def filters(self):
        return {"sqlalchemy_url": sqlalchemy_url}
