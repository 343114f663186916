"""A throwaway PostgreSQL server for the test run: initdb in a temp dir, never a mock.

As root the server runs as the `postgres` system user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    for candidate in ("initdb", "pg_ctl"):
        found = shutil.which(candidate)
        if found:
            real = Path(found).resolve().parent
            if (real / "initdb").exists() and (real / "pg_ctl").exists():
                return real
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    return Path(versions[-1]) if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    bindir: Path
    root: Path
    port: int
    as_user: str | None
    extra_options: str = ""
    """More `postgres` options for `start_again` (a test of TLS listens on TCP, say)."""

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        data = self.root / "data"
        self.socket_dir.mkdir(parents=True)
        if self.as_user:
            shutil.chown(self.root, self.as_user)
            shutil.chown(self.socket_dir, self.as_user)
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        self.start_again()

    def start_again(self) -> None:
        """Start the (stopped) server on its data directory, socket and port."""
        options = (f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   f"-c max_connections=200 {self.extra_options}")
        self._run("pg_ctl", "-D", str(self.root / "data"), "-o", options,
                  "-l", str(self.root / "log"), "-w", "-t", "60", "start")

    def stop_fast(self) -> None:
        """What a server restart or a lost server looks like to the desks: `pg_ctl stop -m
        fast` ends every session (the data stays; `start_again` brings it back)."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PgServer:
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    as_user = None
    if os.geteuid() == 0:
        as_user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="mottagning-pg-"))
    if as_user:
        os.chmod(root, 0o755)
    server = PgServer(bindir, root, _free_port(), as_user)
    try:
        server.start()
    except BaseException:
        log = root / "log"
        detail = log.read_text() if log.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {detail[-2000:]}") from None
    deadline = time.monotonic() + 30
    while not any(server.socket_dir.glob(".s.PGSQL.*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    return server
