# Copyright: airflow_ops.metastore contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options shared by every database module, libpq parameters, and 40001 retries.

Modules extend ``connection_argument_spec()`` and pass ``CONNECTION_MUTUALLY_EXCLUSIVE`` to
AnsibleModule; ``connect(module.params)`` returns a psycopg2 connection or raises
``ConnectionFailure`` with a message that says what to check (never the password).
"""

from __future__ import annotations

import contextlib
import random
import re
import time

from ansible.module_utils.basic import missing_required_lib

try:
    import psycopg2
    import psycopg2.extensions

    HAS_PSYCOPG2 = True
    PSYCOPG2_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_PSYCOPG2 = False
    PSYCOPG2_IMPORT_ERROR = exc

# What a database call can raise: modules catch it to fail with a message instead of a traceback.
DATABASE_ERRORS = (psycopg2.Error,) if HAS_PSYCOPG2 else ()

SSLMODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
SERIALIZATION_FAILURE = "40001"

# Module option -> libpq keyword.
_LIBPQ_KEYWORDS = {
    "login_host": "host",
    "login_unix_socket": "host",
    "login_port": "port",
    "login_user": "user",
    "login_password": "password",
    "login_db": "dbname",
    "sslmode": "sslmode",
    "ssl_rootcert": "sslrootcert",
    "ssl_cert": "sslcert",
    "ssl_key": "sslkey",
    "connect_timeout": "connect_timeout",
}

# libpq keyword -> environment variable, for client programs such as pg_dump (keeps secrets off argv).
LIBPQ_ENV = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
}

# A URL holds the whole connection, so the discrete options that it would silently override are refused.
CONNECTION_MUTUALLY_EXCLUSIVE = [
    ["url", "login_host"],
    ["url", "login_unix_socket"],
    ["url", "login_port"],
    ["url", "login_user"],
    ["url", "login_password"],
    ["url", "login_db"],
    ["login_host", "login_unix_socket"],
]


def default_sslmode(sslmode, sslrootcert):
    """The sslmode to use: the operator's, else ``verify-full`` when a CA file is given, else None.

    A CA given without a mode means "check the server against it": libpq's own default (``prefer``) would
    accept any certificate, or none, and ``require`` checks neither the CA nor the host name.
    """
    if sslmode:
        return sslmode
    return "verify-full" if sslrootcert else None


class ConnectionFailure(Exception):
    """The server could not be reached or refused the login; the message says what to check."""


def connection_argument_spec():
    """The connection options every database module accepts (see the ``connection`` doc fragment)."""
    return {
        "url": {"type": "str", "no_log": True},
        "login_host": {"type": "str", "aliases": ["host"]},
        "login_unix_socket": {"type": "str", "aliases": ["unix_socket"]},
        "login_port": {"type": "int", "aliases": ["port"]},
        "login_user": {"type": "str", "aliases": ["user"]},
        "login_password": {"type": "str", "no_log": True, "aliases": ["password"]},
        "login_db": {"type": "str", "aliases": ["db"]},
        "sslmode": {"type": "str", "choices": SSLMODES},
        "ssl_rootcert": {"type": "path"},
        "ssl_cert": {"type": "path"},
        "ssl_key": {"type": "path", "no_log": False},
        "connect_timeout": {"type": "int", "default": 10},
    }


def libpq_kwargs(params):
    """Turn module params into libpq keywords; the URL, if any, goes under ``dsn``.

    Only options the operator set are passed, so libpq (and the URL) keep their own defaults, except one:
    a CA file (``ssl_rootcert`` or the URL's ``sslrootcert``) without an sslmode anywhere means
    ``verify-full`` (see ``default_sslmode``).
    """
    kwargs = {}
    if params.get("url"):
        kwargs["dsn"] = params["url"]
    for option, keyword in _LIBPQ_KEYWORDS.items():
        value = params.get(option)
        if value is not None and value != "":
            kwargs[keyword] = str(value) if keyword in ("port", "connect_timeout") else value
    if "sslmode" not in kwargs:
        from_url = _url_parameters(kwargs.get("dsn"))
        rootcert = kwargs.get("sslrootcert") or from_url.get("sslrootcert")
        sslmode = default_sslmode(from_url.get("sslmode"), rootcert)
        if sslmode and sslmode != from_url.get("sslmode"):
            kwargs["sslmode"] = sslmode
    return kwargs


def _url_parameters(dsn):
    """The URL's libpq parameters, or {} without a URL (an unparsable one fails later, in ``connect``)."""
    if not dsn or not HAS_PSYCOPG2:
        return {}
    try:
        return psycopg2.extensions.parse_dsn(dsn)
    except psycopg2.Error:
        return {}


def resolved_parameters(params):
    """All libpq parameters as one dict (the URL parsed), e.g. to build pg_dump's environment."""
    kwargs = dict(libpq_kwargs(params))
    dsn = kwargs.pop("dsn", None)
    resolved = dict(psycopg2.extensions.parse_dsn(dsn)) if dsn else {}
    resolved.update(kwargs)
    return resolved


def libpq_environment(params):
    """Environment variables that make a libpq client program (pg_dump) connect like ``connect()``."""
    env = {}
    for keyword, value in resolved_parameters(params).items():
        variable = LIBPQ_ENV.get(keyword)
        if variable is None:
            raise ConnectionFailure(
                f"connection parameter '{keyword}' cannot be passed to client programs such as pg_dump; "
                "remove it from the URL"
            )
        env[variable] = str(value)
    return env


def describe_target(params):
    """``user@host:port/db`` for messages: never the password."""
    try:
        resolved = resolved_parameters(params)
    except Exception:  # an unparsable URL: say so without echoing it
        return "the server given by 'url' (which could not be parsed)"
    host = resolved.get("host") or "the default local socket"
    port = resolved.get("port") or "5432"
    user = resolved.get("user") or "the default user"
    return f"{user}@{host}:{port}/{resolved.get('dbname') or '(default db)'}"


def scrub(message, params):
    """Remove the password (and a URL's password) from a message before it reaches the operator."""
    secrets = [params.get("login_password")]
    with contextlib.suppress(Exception):  # an unparsable URL has no password to extract
        secrets.append(resolved_parameters(params).get("password"))
    text = str(message)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1********@", text)


# libpq's words when the first byte back is not PostgreSQL's: 'H' is the start of "HTTP/1.1 400 ...".
_NOT_POSTGRESQL = re.compile(
    r"invalid response to ssl negotiation: (.)|expected authentication request from server, but received (.)"
)
# SQLSTATEs of a server ending the session (terminated by an administrator, shutdown, another crash).
_SESSION_ENDED = {"57P01", "57P02", "57P03", "08000", "08003", "08006"}


def _not_postgresql_hint(text):
    """The hint for a port that answers, but not in the PostgreSQL protocol; None for other errors."""
    match = _NOT_POSTGRESQL.search(text)
    if not match:
        return None
    first = match.group(1) or match.group(2)
    like = " (it answered like an HTTP server: web UI, health or admin port)" if first.lower() == "h" else ""
    return (
        f"something answers on that port but does not speak the PostgreSQL protocol{like}: check login_port "
        "(or the URL's port) is the database's port (PostgreSQL 5432, CockroachDB's SQL port 26257 rather "
        "than its HTTP port 8080, HAProxy's database listener rather than its stats page)"
    )


def explain_connection_error(error_text, target):
    """Map libpq's error text to what an operator should check."""
    text = error_text.lower()
    not_postgresql = _not_postgresql_hint(text)
    if not_postgresql:
        hint = not_postgresql
    elif "password authentication failed" in text or "authentication failed" in text:
        hint = "check login_user / login_password (or the URL's user and password)"
    elif "no password supplied" in text:
        hint = "the server requires a password: set login_password or put it in the URL"
    elif "does not exist" in text and "database" in text:
        hint = "the database does not exist: check login_db (or the URL's path), or create it first"
    elif "connection refused" in text or "could not connect" in text:
        hint = "check that the server runs and listens on that host and port, and that no firewall blocks it"
    elif "could not translate host name" in text or "name or service not known" in text:
        hint = "the host name does not resolve: check login_host (or the URL's host) and DNS"
    elif "timeout expired" in text:
        hint = "no answer within connect_timeout: check the host, port, firewall and load balancer"
    elif "ssl" in text or "certificate" in text:
        hint = "check sslmode, ssl_rootcert, ssl_cert and ssl_key against the server's TLS settings"
    elif "pg_hba.conf" in text:
        hint = "the server refuses this client: add a pg_hba.conf entry for this host/user/database"
    else:
        hint = "check the connection options"
    return f"cannot connect to {target}: {hint}. Server said: {error_text.strip()}"


def connection_lost(exc, conn=None):
    """True when ``exc`` means the session is gone (server terminated it, restart, network or proxy cut)."""
    if conn is not None and getattr(conn, "closed", 0):
        return True
    if getattr(exc, "pgcode", None) in _SESSION_ENDED:
        return True
    text = str(exc).lower()
    return "server closed the connection" in text or "connection already closed" in text


def describe_database_error(exc, conn, params, doing="the load"):
    """A database error for the operator: a lost connection says so, which server, and what to check."""
    server_said = " ".join(str(exc).split()) or type(exc).__name__
    if connection_lost(exc, conn):
        message = (
            f"the connection to {describe_target(params)} was lost during {doing} "
            f"(server said: {server_said}). The server ended the session (terminated by an administrator, "
            "a restart or failover) or the network or a proxy cut it (idle or connection timeouts): check "
            "that the server is up and reachable from this host"
        )
    else:
        message = f"{doing} failed on {describe_target(params)}: {server_said}"
    return scrub(message, params)


def connect(params, autocommit=False):
    """Open a psycopg2 connection from module params; ``ConnectionFailure`` says what to check."""
    try:
        conn = psycopg2.connect(**libpq_kwargs(params))
    except psycopg2.Error as exc:
        target = describe_target(params)
        raise ConnectionFailure(scrub(explain_connection_error(str(exc), target), params)) from None
    conn.autocommit = autocommit
    return conn


def connect_or_fail(module, params=None, label=""):
    """``connect`` for a module: psycopg2 missing or a failed connection ends the run with what to do.

    ``params`` defaults to the module's; ``label`` prefixes the message when a module opens two connections.
    """
    if not HAS_PSYCOPG2:
        module.fail_json(msg=missing_required_lib("psycopg2"), exception=str(PSYCOPG2_IMPORT_ERROR))
    try:
        return connect(params if params is not None else module.params)
    except ConnectionFailure as exc:
        module.fail_json(msg=f"{label}{exc}")


def is_serialization_failure(exc):
    return getattr(exc, "pgcode", None) == SERIALIZATION_FAILURE


def backoff_delay(attempt, base_delay=0.05, max_delay=5.0, rand=random.random):
    """Exponential backoff with full jitter: a random delay in [0, min(max, base * 2**attempt)]."""
    return rand() * min(max_delay, base_delay * (2**attempt))


def run_with_retry(fn, attempts=8, base_delay=0.05, max_delay=5.0, on_retry=None, sleep=time.sleep):
    """Call ``fn()``; retry it when it raises a serialization failure (SQLSTATE 40001).

    ``fn`` must run a whole transaction (and roll it back on error) so a retry repeats all of it.
    ``on_retry(attempt, exc)`` is called before each retry, e.g. to roll back and count retries.
    The last failure is re-raised once ``attempts`` are used up; other errors are raised at once.
    """
    for attempt in range(attempts):
        try:
            return fn()
        except Exception as exc:
            if not is_serialization_failure(exc) or attempt == attempts - 1:
                raise
            if on_retry is not None:
                on_retry(attempt, exc)
            sleep(backoff_delay(attempt, base_delay, max_delay))
    raise AssertionError("unreachable")  # pragma: no cover


def run_transaction(conn, work, attempts=8, on_retry=None, sleep=time.sleep):
    """Run ``work(cursor)`` in one transaction on ``conn`` and commit; return what it returns.

    Any error rolls the transaction back; a serialization failure (40001) then reruns the whole
    transaction with backoff (see ``run_with_retry``), so callers need not roll back themselves.
    """

    def attempt():
        try:
            with conn.cursor() as cur:
                result = work(cur)
            conn.commit()
            return result
        except BaseException:
            # On a dead connection the rollback fails too ("connection already closed"): the original
            # error says why, so it is the one raised.
            with contextlib.suppress(Exception):
                conn.rollback()
            raise

    return run_with_retry(attempt, attempts=attempts, on_retry=on_retry, sleep=sleep)
