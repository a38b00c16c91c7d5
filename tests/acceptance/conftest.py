"""The acceptance suite runs the application the way an integrator meets it: a separate server process.

One server for the package's modules: a fresh database (a SQLite file in a temporary folder, or a fresh
PostgreSQL database when TEST_DATABASE_URL is set), bootstrapped with the three commands of
api.md (`init-db`, `create-user NAME --admin --password-stdin`, `issue-token NAME`), then served
by waitress on a free loopback port. The tests speak HTTP to it and import nothing of the project.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests

from tests.acceptance.client import build_tree

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADMIN_PASSWORD = "Mật-khẩu-quản-trị-2026!"


@dataclass
class Server:
    base_url: str
    admin_token: str
    env: dict

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run `flask --app app ARGS…` against this server's database; its standard output."""
        done = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=self.env,
                              input=stdin, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def issue_tokens(self, usernames: list[str]) -> dict[str, str]:
        """`issue-token NAME` for each user, in parallel; the token is the last line of stdout."""
        procs = {name: subprocess.Popen([str(BIN / "flask"), "--app", "app", "issue-token", name], cwd=ROOT,
                                        env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in usernames}
        tokens = {}
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, f"issue-token {name} failed:\n{out}\n{err}"
            tokens[name] = out.strip().splitlines()[-1].strip()
        return tokens


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_conninfo(url: str) -> str:
    """A libpq URL from a SQLAlchemy one (drop the +driver part)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest


def _create_pg_database(server_url: str) -> tuple[str, str]:
    if server_url.startswith("postgresql://"):
        server_url = server_url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"qt_accept_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_pg_conninfo(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name, name


def _drop_pg_database(server_url: str, name: str) -> None:
    with psycopg.connect(_pg_conninfo(server_url), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                     "AND pid <> pg_backend_pid()", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _wait_until_serving(proc: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if requests.get(base_url + "/openapi.json", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="package")
def server(tmp_path_factory):
    """A running server on a fresh, bootstrapped database; stopped (and its database dropped) afterwards."""
    folder = tmp_path_factory.mktemp("acceptance")
    pg_server = os.environ.get("TEST_DATABASE_URL")
    pg_name = None
    if pg_server:
        url, pg_name = _create_pg_database(pg_server)
    else:
        url = f"sqlite:///{folder / 'quytrinh.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUYTRINH_")}
    env.update(QUYTRINH_DATABASE_URL=url, QUYTRINH_INSTANCE=str(folder / "instance"), PYTHONUNBUFFERED="1")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}/api/v1"
    bootstrap = Server(base_url=base_url, admin_token="", env=env)
    proc = None
    log = folder / "server.log"
    try:
        bootstrap.cli("init-db")
        bootstrap.cli("create-user", "admin", "--admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
        token = bootstrap.cli("issue-token", "admin").strip().splitlines()[-1].strip()
        with log.open("w") as sink:
            proc = subprocess.Popen([str(BIN / "waitress-serve"), f"--listen=127.0.0.1:{port}", "--threads=4",
                                     "--call", "app:create_app"], cwd=ROOT, env=env, stdout=sink,
                                    stderr=subprocess.STDOUT)
        _wait_until_serving(proc, base_url, log)
        yield Server(base_url=base_url, admin_token=token, env=env)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if pg_name:
            _drop_pg_database(pg_server, pg_name)


@pytest.fixture(scope="package")
def tree(server):
    """Province A: a delegated commune, a ward without authority, and users for every role (client.Tree)."""
    return build_tree(server, with_users=True, label="A")
