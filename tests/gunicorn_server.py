"""A real gunicorn, started and stopped by a test or a benchmark: the production server on 127.0.0.1.

It runs the repository's gunicorn.conf.py and wsgi.py, exactly as the README's production start does,
with the database, instance folder and settings given as ``FORUM_*`` environment variables.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    log_path: Path
    process: subprocess.Popen

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextmanager
def gunicorn(database_url: str, instance_path: Path, *, workers: int = 4, app: str = "wsgi:app",
             settings: dict[str, str] | None = None, extra_args: list[str] | None = None,
             start_timeout: float = 60.0) -> Iterator[Server]:
    """Serve ``app`` with ``workers`` gunicorn workers until the block ends; yields the server.

    ``settings`` are app settings without their prefix (``{"SIGNUP_RATE_LIMIT": "1000 per minute"}``).
    The server's output (gunicorn's and the app's logs) goes to ``instance_path/gunicorn.log``.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_INSTANCE_PATH": str(instance_path),
           "FORUM_SECRET_KEY": "gunicorn-test-secret", "PYTHONUNBUFFERED": "1"}
    env.pop("GUNICORN_CMD_ARGS", None)
    env.pop("WEB_CONCURRENCY", None)
    for name, value in (settings or {}).items():
        env[f"FORUM_{name}"] = value
    log_path = instance_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
               "--workers", str(workers), "--bind", f"127.0.0.1:{port}", *(extra_args or []), app]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(url=f"http://127.0.0.1:{port}", log_path=log_path, process=process)
    try:
        _wait_until_ready(server, start_timeout, health_path="/healthz" if app == "wsgi:app" else "/")
        yield server
    finally:
        _stop(process)


def _wait_until_ready(server: Server, timeout: float, health_path: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log()[-4000:]}")
        try:
            with urllib.request.urlopen(server.url + health_path, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {health_path} within {timeout:.0f} s:\n{server.log()[-4000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # The whole process group: the arbiter and its workers.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
