"""The system under test: the demo city on a fresh PostgreSQL database, served by gunicorn."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
STARTUP_TIMEOUT_S = 60
SETTLE_TIMEOUT_S = 60
IDLE_RESPONSE_S = 0.1


class HarnessError(RuntimeError):
    """The bench could not run (as opposed to the product missing a target)."""


def fresh_database(name: str) -> str:
    """Drop and create database ``name``; return its URL."""
    import psycopg

    try:
        with psycopg.connect(
            dbname="postgres", autocommit=True, connect_timeout=5, **POSTGRES
        ) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise HarnessError(
            f"PostgreSQL is unreachable at {POSTGRES['host']}:{POSTGRES['port']} "
            f"as {POSTGRES['user']}: {error}".strip()
        ) from error
    return f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{name}"


def production_environment(database_url: str, static_root: Path) -> dict[str, str]:
    """Production mode as deployed, minus TLS (the load comes over plain HTTP)."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "LUTETIA_MODE": "production",
        "LUTETIA_SECRET_KEY": secrets.token_urlsafe(64),
        "LUTETIA_SSL_REDIRECT": "0",
        "LUTETIA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LUTETIA_STATIC_ROOT": str(static_root),
        "LUTETIA_VAR_DIR": str(static_root.parent),
        "LUTETIA_LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> None:
    """Run a ``lutetia`` management command; fail the harness with its output if it fails."""
    completed = subprocess.run(
        [str(BIN / "lutetia"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr)[-3000:]
        raise HarnessError(f"`lutetia {' '.join(args)}` failed:\n{output}")


def run_prepare(script: str, env: dict[str, str]) -> dict:
    """Run a benchmark module as a script (``python SCRIPT prepare OUT``) in the bench's
    environment, where it can set Django up; return the JSON it wrote to OUT."""
    name = Path(script).stem
    out = Path(env["LUTETIA_VAR_DIR"]) / f"{name}.json"
    completed = subprocess.run(
        [sys.executable, script, "prepare", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise HarnessError(f"{name}: prepare failed:\n{completed.stderr[-3000:]}")
    print(completed.stdout.strip(), file=sys.stderr)
    return json.loads(out.read_text())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int, log_path: Path) -> Iterator[str]:
    """Serve ``lutetia.wsgi`` until the block ends; yield the base URL once it answers."""
    port = _free_port()
    command = [
        str(BIN / "gunicorn"),
        "lutetia.wsgi:application",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--bind=127.0.0.1:{port}",
        f"--chdir={ROOT}",
        "--log-level=warning",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, process, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HarnessError(f"gunicorn exited ({process.returncode}):\n{log_path.read_text()}")
        try:
            if status(base_url + "/healthz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise HarnessError(f"gunicorn did not answer /healthz in {STARTUP_TIMEOUT_S}s")


def wait_until_idle(base_url: str) -> None:
    """Let the server drain the requests a load run left queued, so they do not slow the next.

    A slow page leaves accepted connections behind when wrk stops; the next
    measurement would otherwise pay for them.
    """
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while time.monotonic() < deadline:
        started = time.monotonic()
        status(base_url + "/bench/constant")
        if time.monotonic() - started < IDLE_RESPONSE_S:
            return
    print(f"warning: server still busy after {SETTLE_TIMEOUT_S}s", file=sys.stderr)


def status(url: str) -> int:
    """The HTTP status of one GET (redirects not followed)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
