"""Connection options -> libpq parameters, error messages, and the 40001 retry loop."""

from __future__ import annotations

import pytest
from ansible_collections.airflow_ops.metastore.plugins.module_utils import connection as c


class FakeSerializationFailure(Exception):
    pgcode = "40001"


class OtherDatabaseError(Exception):
    pgcode = "23505"


def test_libpq_kwargs_passes_only_options_the_operator_set():
    params = {
        "login_host": "db1",
        "login_port": 5433,
        "login_user": "airflow",
        "login_password": "s3cret",
        "login_db": "airflow",
        "sslmode": None,
        "connect_timeout": 10,
        "url": None,
    }
    assert c.libpq_kwargs(params) == {
        "host": "db1",
        "port": "5433",
        "user": "airflow",
        "password": "s3cret",
        "dbname": "airflow",
        "connect_timeout": "10",
    }


def test_url_is_passed_as_dsn_and_tls_options_override_it():
    params = {
        "url": "postgresql://u:p@h:26257/d?sslmode=disable",
        "sslmode": "verify-full",
        "ssl_rootcert": "/ca.crt",
    }
    kwargs = c.libpq_kwargs(params)
    assert kwargs["dsn"] == params["url"]
    assert kwargs["sslmode"] == "verify-full"
    assert c.resolved_parameters(params)["sslmode"] == "verify-full"
    assert c.resolved_parameters(params)["port"] == "26257"


@pytest.mark.parametrize(
    ("params", "sslmode"),
    [
        # A CA and no mode, as an option or in the URL: verify-full (issue 15), never require.
        ({"login_host": "db1", "ssl_rootcert": "/ca.crt"}, "verify-full"),
        ({"url": "postgresql://u@db1/d?sslrootcert=/ca.crt"}, "verify-full"),
        ({"url": "postgresql://u@db1/d", "ssl_rootcert": "/ca.crt"}, "verify-full"),
        # The operator's mode wins, wherever it is given.
        ({"login_host": "db1", "ssl_rootcert": "/ca.crt", "sslmode": "verify-ca"}, "verify-ca"),
        ({"url": "postgresql://u@db1/d?sslmode=require", "ssl_rootcert": "/ca.crt"}, "require"),
        # No CA: libpq's own default (prefer, or PGSSLMODE) stays.
        ({"login_host": "db1"}, None),
    ],
)
def test_a_ca_without_sslmode_defaults_to_verify_full(params, sslmode):
    """Proves the libpq parameters the modules and pg_dump get; the TLS integration test proves libpq then
    refuses a server whose certificate does not name the host."""
    assert c.resolved_parameters(params).get("sslmode") == sslmode
    assert c.libpq_environment(params).get("PGSSLMODE") == sslmode


def test_unix_socket_becomes_libpq_host():
    assert c.libpq_kwargs({"login_unix_socket": "/run/postgresql"})["host"] == "/run/postgresql"


def test_libpq_environment_carries_the_url_password_for_pg_dump_not_argv():
    env = c.libpq_environment({"url": "postgresql://u:p%40ss@h:5432/d?sslmode=require"})
    assert env == {
        "PGUSER": "u",
        "PGPASSWORD": "p@ss",
        "PGHOST": "h",
        "PGPORT": "5432",
        "PGDATABASE": "d",
        "PGSSLMODE": "require",
    }


def test_scrub_removes_discrete_and_url_passwords():
    params = {"url": "postgresql://u:hunter2@h/d"}
    text = c.scrub("failed for postgresql://u:hunter2@h/d and hunter2", params)
    assert "hunter2" not in text
    assert "u:********@h" in text
    assert "topsecret" not in c.scrub("pw topsecret", {"login_password": "topsecret"})


def test_describe_target_never_shows_the_password():
    text = c.describe_target({"url": "postgresql://airflow:hunter2@db1:26257/airflow"})
    assert text == "airflow@db1:26257/airflow"


@pytest.mark.parametrize(
    ("server_text", "hint"),
    [
        ('FATAL:  password authentication failed for user "x"', "login_password"),
        ("could not connect to server: Connection refused", "listens on that host and port"),
        ('could not translate host name "nope" to address', "does not resolve"),
        ('FATAL:  database "nope" does not exist', "database does not exist"),
        ("timeout expired", "connect_timeout"),
    ],
)
def test_connection_errors_say_what_to_check(server_text, hint):
    assert hint in c.explain_connection_error(server_text, "u@h:1/d")


def test_run_with_retry_retries_serialization_failures_then_succeeds():
    calls, retries, sleeps = [], [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise FakeSerializationFailure("restart transaction")
        return "done"

    result = c.run_with_retry(
        flaky, on_retry=lambda attempt, exc: retries.append(attempt), sleep=sleeps.append
    )
    assert result == "done"
    assert len(calls) == 3
    assert retries == [0, 1]
    assert len(sleeps) == 2


def test_run_with_retry_gives_up_after_attempts_and_reraises():
    def always():
        raise FakeSerializationFailure("restart transaction")

    with pytest.raises(FakeSerializationFailure):
        c.run_with_retry(always, attempts=3, sleep=lambda _s: None)


def test_run_with_retry_does_not_retry_other_errors():
    calls = []

    def dup():
        calls.append(1)
        raise OtherDatabaseError("duplicate key")

    with pytest.raises(OtherDatabaseError):
        c.run_with_retry(dup, sleep=lambda _s: None)
    assert len(calls) == 1


def test_backoff_grows_exponentially_and_is_capped():
    assert c.backoff_delay(0, base_delay=0.1, rand=lambda: 1.0) == pytest.approx(0.1)
    assert c.backoff_delay(3, base_delay=0.1, rand=lambda: 1.0) == pytest.approx(0.8)
    assert c.backoff_delay(20, base_delay=0.1, max_delay=5.0, rand=lambda: 1.0) == 5.0
    assert c.backoff_delay(3, base_delay=0.1, rand=lambda: 0.5) == pytest.approx(0.4)


@pytest.mark.integration
def test_connect_with_wrong_password_fails_clearly_without_echoing_it(postgres_server):
    params = {
        "login_host": postgres_server.host,
        "login_port": postgres_server.port,
        "login_user": postgres_server.superuser,
        "login_password": "wrong-pw-xyz",
        "login_db": "postgres",
    }
    with pytest.raises(c.ConnectionFailure) as err:
        c.connect(params)
    assert "login_password" in str(err.value)
    assert "wrong-pw-xyz" not in str(err.value)


@pytest.mark.integration
def test_connect_to_unreachable_port_says_check_server_and_firewall():
    from tests.support.postgres_server import free_port

    params = {
        "login_host": "127.0.0.1",
        "login_port": free_port(),
        "login_user": "x",
        "login_db": "x",
        "connect_timeout": 3,
    }
    with pytest.raises(c.ConnectionFailure) as err:
        c.connect(params)
    assert "listens on that host and port" in str(err.value)


@pytest.mark.integration
def test_connect_by_url_works(postgres_server):
    conn = c.connect({"url": postgres_server.url, "connect_timeout": 5})
    with conn.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    conn.close()


@pytest.mark.integration
def test_run_with_retry_recovers_from_a_real_serialization_failure(postgres_server, pg_database):
    """Write skew between two SERIALIZABLE transactions makes PostgreSQL raise a real 40001."""
    import psycopg2
    import psycopg2.extensions

    url = postgres_server.url_for(pg_database)
    setup = psycopg2.connect(url)
    with setup, setup.cursor() as cur:
        cur.execute("CREATE TABLE oncall (name text, on_duty boolean)")
        cur.execute("INSERT INTO oncall VALUES ('a', true), ('b', true)")
    setup.close()
    other = psycopg2.connect(url)
    mine = psycopg2.connect(url)
    for conn in (other, mine):
        conn.isolation_level = psycopg2.extensions.ISOLATION_LEVEL_SERIALIZABLE
    attempts, retried = [], []

    def go_off_duty():
        attempts.append(1)
        with mine.cursor() as cur:
            cur.execute("SELECT count(*) FROM oncall WHERE on_duty")
            if len(attempts) == 1:  # a concurrent transaction makes the same decision and commits first
                with other.cursor() as o:
                    o.execute("SELECT count(*) FROM oncall WHERE on_duty")
                    o.execute("UPDATE oncall SET on_duty = false WHERE name = 'a'")
                other.commit()
            cur.execute("UPDATE oncall SET on_duty = false WHERE name = 'b'")
        mine.commit()
        return "committed"

    def rollback(attempt, exc):
        retried.append(exc.pgcode)
        mine.rollback()

    assert c.run_with_retry(go_off_duty, on_retry=rollback, base_delay=0.01) == "committed"
    assert retried == ["40001"]
    assert len(attempts) == 2
    other.close()
    mine.close()


@pytest.mark.integration
def test_run_transaction_rolls_back_a_failed_attempt_and_reruns_it_whole(postgres_server, pg_database):
    """The first attempt inserts, then the server raises 40001: the retry must start a clean transaction."""
    import psycopg2

    conn = psycopg2.connect(postgres_server.url_for(pg_database))
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE granted (name text)")
        cur.execute("CREATE SEQUENCE attempts")  # nextval survives a rollback: it counts the attempts
    conn.commit()
    retried = []

    def grant(cur):
        cur.execute("INSERT INTO granted VALUES ('airflow')")
        cur.execute(
            "DO $$ BEGIN IF nextval('attempts') = 1 THEN"
            " RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END IF; END $$"
        )
        return "granted"

    result = c.run_transaction(
        conn, grant, on_retry=lambda _a, exc: retried.append(exc.pgcode), sleep=lambda _s: None
    )
    assert result == "granted"
    assert retried == ["40001"]
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM granted")
        assert cur.fetchone() == (1,), "the failed attempt's insert must have been rolled back"
    conn.close()


@pytest.fixture
def http_port():
    """An HTTP server on loopback that, like HAProxy's or nginx's parser, answers a request that does not
    start with an HTTP method at once with 400 (what a web UI or health port answers a libpq client)."""
    import socketserver
    import threading

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.recv(4096)
            self.request.sendall(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.integration
@pytest.mark.parametrize("sslmode", ["prefer", "disable", "require"])
def test_a_port_answering_http_says_it_is_not_a_database_port(http_port, sslmode):
    """libpq's 'invalid response to SSL negotiation: H' used to get the sslmode hint."""
    params = {
        "login_host": "127.0.0.1",
        "login_port": http_port,
        "login_user": "x",
        "login_db": "x",
        "sslmode": sslmode,
        "connect_timeout": 5,
    }
    with pytest.raises(c.ConnectionFailure) as err:
        c.connect(params)
    text = str(err.value)
    assert "does not speak the PostgreSQL protocol" in text and "login_port" in text
    assert "check sslmode" not in text


@pytest.mark.integration
def test_a_connection_terminated_by_the_server_is_reported_as_lost_not_already_closed(
    postgres_server, pg_database
):
    """run_transaction's rollback on the dead connection used to hide the server's reason."""
    import psycopg2

    params = {"url": postgres_server.url_for(pg_database), "connect_timeout": 5}
    conn = c.connect(params)
    with conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    conn.rollback()
    admin = psycopg2.connect(postgres_server.url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()
    with pytest.raises(psycopg2.Error) as err:
        c.run_transaction(conn, lambda cur: cur.execute("SELECT 1"))
    assert "connection already closed" not in str(err.value)
    message = c.describe_database_error(err.value, conn, params)
    assert message.startswith(f"the connection to {c.describe_target(params)} was lost")
    assert "server closed the connection unexpectedly" in message and "check that the server is up" in message
    assert postgres_server.password not in message
