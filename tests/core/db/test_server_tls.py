"""TLS as docs/server.md prescribes it: `sslmode=verify-full` against a server whose
certificate the unit's CA signed. A server with a certificate for another host name, or
a CA the desk does not trust, is refused."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mottagning.db.database import open_database
from mottagning.errors import DatabaseError
from tests import pg


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd, timeout=60)


def _certificates(folder: Path, host: str) -> None:
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             "/CN=Kommunens test-CA", "-keyout", "ca.key", "-out", "ca.pem", cwd=folder)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={host}",
             "-keyout", "server.key", "-out", "server.csr", cwd=folder)
    (folder / "san.cnf").write_text(f"subjectAltName=DNS:{host}\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "server.pem",
             cwd=folder)


@pytest.fixture
def tls_server(pg_server, tmp_path: Path) -> Iterator[tuple[pg.PgServer, Path]]:  # type: ignore[no-untyped-def]
    if pg_server is None or shutil.which("openssl") is None:
        pytest.skip("PostgreSQL or openssl is not installed here")
    server = pg.start_server()
    try:
        server.stop_fast()
        data = server.root / "data"
        _certificates(tmp_path, "localhost")
        for name in ("server.pem", "server.key"):
            shutil.copy(tmp_path / name, data / name)
            (data / name).chmod(0o600)
            if server.as_user:
                shutil.chown(data / name, server.as_user)
        server.extra_options = ("-c listen_addresses=127.0.0.1 -c ssl=on "
                                "-c ssl_cert_file=server.pem -c ssl_key_file=server.key")
        server.start_again()
        yield server, tmp_path
    finally:
        server.stop()


@pytest.mark.postgres
def test_verify_full_connects_to_the_units_server_and_refuses_an_impostor(
    tls_server: tuple[pg.PgServer, Path],
) -> None:
    server, certs = tls_server
    base = f"postgresql+psycopg://postgres@{{host}}:{server.port}/postgres?sslmode=verify-full"
    good = open_database(base.format(host="localhost") + f"&sslrootcert={certs / 'ca.pem'}",
                         migrate=True)
    try:
        with good.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT ssl FROM pg_stat_ssl "
                                              "WHERE pid = pg_backend_pid()").scalar() is True
    finally:
        good.dispose()
    # the certificate names "localhost", not the address the desk used
    with pytest.raises(DatabaseError, match="kan inte öppnas"):
        open_database(base.format(host="127.0.0.1") + f"&sslrootcert={certs / 'ca.pem'}")
    # a CA the desk does not trust
    other = certs / "other"
    other.mkdir()
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             "/CN=Någon annan", "-keyout", "ca.key", "-out", "ca.pem", cwd=other)
    with pytest.raises(DatabaseError, match="kan inte öppnas"):
        open_database(base.format(host="localhost") + f"&sslrootcert={other / 'ca.pem'}")
