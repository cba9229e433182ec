# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of every airflow_ops.metastore database module (plugins/module_utils/connection.py).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - A libpq connection URL or key/value string, e.g. C(postgresql://airflow@db1:5432/airflow?sslmode=require).
      - It may hold the password, so it is never logged.
      - Mutually exclusive with O(login_host), O(login_unix_socket), O(login_port), O(login_user),
        O(login_password) and O(login_db); O(sslmode), O(ssl_rootcert), O(ssl_cert), O(ssl_key) and
        O(connect_timeout) override the URL's values when set.
    type: str
  login_host:
    description:
      - Host name or IP address of the server (or of the load balancer in front of it).
      - libpq's default (the local Unix socket) applies when neither this nor O(url) is set.
    type: str
    aliases: [host]
  login_unix_socket:
    description:
      - Directory of the server's Unix socket, instead of O(login_host).
    type: str
    aliases: [unix_socket]
  login_port:
    description:
      - TCP port of the server. libpq's default is 5432 (CockroachDB listens on 26257).
    type: int
    aliases: [port]
  login_user:
    description:
      - User to log in as. libpq's default is the operating-system user running the module.
    type: str
    aliases: [user]
  login_password:
    description:
      - Password of O(login_user). Never logged.
    type: str
    aliases: [password]
  login_db:
    description:
      - Database to connect to.
    type: str
    aliases: [db]
  sslmode:
    description:
      - libpq's C(sslmode).
      - When unset here and in O(url), V(verify-full) if a CA is given (O(ssl_rootcert) or the URL's
        C(sslrootcert)), so the server's certificate must be signed by that CA and name the host connected to.
      - Without a CA, libpq's default applies (C(prefer), or C(PGSSLMODE)); use C(verify-full) with a CA
        across untrusted networks. C(require) encrypts but verifies neither the CA nor the host name.
    type: str
    choices: [disable, allow, prefer, require, verify-ca, verify-full]
  ssl_rootcert:
    description:
      - CA certificate file that signed the server's certificate (libpq C(sslrootcert)).
      - Given without O(sslmode), the connection uses V(verify-full).
    type: path
  ssl_cert:
    description:
      - Client certificate file for certificate authentication (libpq C(sslcert)).
    type: path
  ssl_key:
    description:
      - Private key file of O(ssl_cert) (libpq C(sslkey)).
    type: path
  connect_timeout:
    description:
      - Seconds to wait for the server to answer before giving up.
    type: int
    default: 10
requirements:
  - psycopg2 (C(psycopg2-binary) or C(python3-psycopg2)) on the host that runs the module.
"""
