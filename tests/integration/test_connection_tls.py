"""A CA given to the database modules means verify-full: against a real PostgreSQL serving TLS.

The server is a real PostgreSQL (tests/support/postgres_server.py) with ``ssl = on`` and a certificate
for ``localhost`` only, signed by a CA made here with ``cryptography``. The modules get ``ssl_rootcert``
and no ``sslmode`` (as the migration's source does when only ``migrate_source_sslrootcert`` is set).

Proves: with the CA alone, metastore_info and metastore_dump (psycopg2 and pg_dump, through
``module_utils.connection``) log in when the host name matches the certificate and refuse the same
server reached by a name the certificate does not hold (127.0.0.1), which only ``verify-full`` does:
``prefer``, ``require`` and ``verify-ca`` all accept it. Also proves a CA that did not sign the server's
certificate is refused.
Does not prove: the server side (hostssl, ssl settings), which the postgresql Molecule scenario covers.
"""

from __future__ import annotations

import datetime
import os
import pwd
import shutil
import tempfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.integration import metastore_helpers as h
from tests.support.postgres_server import remove_postgres, start_postgres

pytestmark = pytest.mark.integration


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _ca(name):
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _server_cert(ca_key, ca_cert, dns_name):
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


@pytest.fixture(scope="module")
def tls_server():
    """A PostgreSQL serving TLS with a certificate for 'localhost' only; yields (server, ca, other_ca)."""
    base = Path(tempfile.mkdtemp(prefix="airflow-ops-tls-"))
    ca_key, ca_cert = _ca("airflow-ops test CA")
    _other_key, other_ca_cert = _ca("some other CA")
    key, cert = _server_cert(ca_key, ca_cert, "localhost")
    files = {
        "ca.crt": ca_cert.public_bytes(serialization.Encoding.PEM),
        "other-ca.crt": other_ca_cert.public_bytes(serialization.Encoding.PEM),
        "server.crt": cert.public_bytes(serialization.Encoding.PEM),
        "server.key": _pem(key),
    }
    for name, data in files.items():
        (base / name).write_bytes(data)
    (base / "server.key").chmod(0o600)
    if os.geteuid() == 0:  # the server runs as postgres (start_postgres), which must own its key
        entry = pwd.getpwnam("postgres")
        for path in [base, *base.iterdir()]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
    server = start_postgres(
        os.environ.get("AIRFLOW_OPS_TEST_PG_MAJOR"),
        settings={
            "ssl": "on",
            "ssl_cert_file": str(base / "server.crt"),
            "ssl_key_file": str(base / "server.key"),
        },
    )
    try:
        yield server, base / "ca.crt", base / "other-ca.crt"
    finally:
        remove_postgres(server)
        shutil.rmtree(base, ignore_errors=True)


def _args(server, host, rootcert, **extra):
    return h.conn_args(server, "postgres", login_host=host, ssl_rootcert=str(rootcert), **extra)


def test_metastore_info_with_a_ca_verifies_the_certificate_and_the_host_name(tls_server):
    server, ca, other_ca = tls_server
    good = h.run_module("metastore_info", _args(server, "localhost", ca), check_mode=True)
    assert good["_rc"] == 0, good.get("msg")

    wrong_name = h.run_module("metastore_info", _args(server, "127.0.0.1", ca), check_mode=True)
    assert wrong_name["_rc"] != 0
    assert 'does not match host name "127.0.0.1"' in wrong_name["msg"]
    assert "check sslmode, ssl_rootcert" in wrong_name["msg"]

    wrong_ca = h.run_module("metastore_info", _args(server, "localhost", other_ca), check_mode=True)
    assert wrong_ca["_rc"] != 0
    assert "certificate verify failed" in wrong_ca["msg"]
    assert server.password not in str(wrong_name) + str(wrong_ca)


def test_an_explicit_sslmode_still_wins(tls_server):
    """The operator may lower the check on purpose: verify-ca accepts the wrong host name."""
    server, ca, _other_ca = tls_server
    args = _args(server, "127.0.0.1", ca, sslmode="verify-ca")
    result = h.run_module("metastore_info", args, check_mode=True)
    assert result["_rc"] == 0, result.get("msg")


def test_metastore_dump_hands_verify_full_to_pg_dump(tls_server, tmp_path):
    """The dump refuses the wrong host name and dumps (pg_dump included) through the right one.

    That pg_dump's PGSSLMODE is verify-full is proven by test_connection.py's libpq_environment check:
    here the module's own psycopg2 connection is the first to refuse."""
    server, ca, _other_ca = tls_server
    bad = _args(server, "127.0.0.1", ca, dump_dir=str(tmp_path / "bad"))
    wrong_name = h.run_module("metastore_dump", bad)
    assert wrong_name["_rc"] != 0
    assert 'does not match host name "127.0.0.1"' in wrong_name["msg"]
    good = h.run_module("metastore_dump", _args(server, "localhost", ca, dump_dir=str(tmp_path / "good")))
    assert good["_rc"] == 0, good.get("msg")


def test_the_migration_verifies_a_source_given_with_its_ca(tls_server, tmp_path):
    """migrate_metastore.yml with only migrate_source_sslrootcert: the preflight (community.postgresql and
    metastore_info on the source) refuses the source by a name its certificate does not hold, and passes by
    the name it holds. Fails without the source CA option (the variable is ignored and sslmode stays prefer).
    Check mode, so the dump and load are not run here (test_metastore_dump_hands_verify_full_to_pg_dump
    covers the dump module with the same options)."""
    import uuid

    from tests.integration.test_migrate_preflight import VENV_BIN, migrate_vars, run_playbook

    server, ca, _other_ca = tls_server
    source, target = f"src_{uuid.uuid4().hex[:8]}", f"tgt_{uuid.uuid4().hex[:8]}"
    h.make_source(server, source, dags=1, runs_per_dag=1, tasks_per_run=1, large_json_kib=1)
    h.create_database(server, target)
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(
        "localhost ansible_connection=local ansible_become=false"
        f" ansible_python_interpreter={VENV_BIN / 'python'}\n"
    )
    runner = {"venv": VENV_BIN.parent, "dir": tmp_path}
    try:
        for host, ok in (("127.0.0.1", False), ("localhost", True)):
            extra = migrate_vars(server, runner, source, target, migrate_source_sslrootcert=str(ca))
            extra["migrate_source_host"] = host
            extra["migrate_target_host"] = "127.0.0.1"
            result = run_playbook(inventory, extra, "--check")
            assert (result.returncode == 0) is ok, result.output
            if not ok:
                assert 'does not match host name "127.0.0.1"' in result.output
            assert server.password not in result.output
    finally:
        for name in (source, target):
            h.drop_database(server, name)
