"""Running the real ``homeport`` console script as child processes, for end-to-end tests.

Every process is started the way an operator starts it (the ``homeport`` console script,
settings from ``HOMEPORT_*`` variables), gets its own data directory and a free loopback port,
listens on 127.0.0.1 only, and is stopped by its PID (terminate, then kill after a grace
period). Only processes started here are ever stopped.

Tests that drive third-party clients start the server with :func:`pinned_demo_env`, so they
know the demo merchant's key and secret, and seed payments by building services on the same
database and data directory (see :meth:`HomeportServer.settings`); the encryption key is shared.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from homeport.config import Settings
from tests.support import DEMO_KEY, DEMO_SECRET, TEST_ENCRYPTION_KEY, settings_for

#: How long a server may take to answer /health after it was started.
HEALTH_TIMEOUT_SECONDS = 30.0
#: How long a CLI command (migrations included) may run.
COMMAND_TIMEOUT_SECONDS = 60.0
#: How long a server gets to exit after SIGTERM before it is killed.
STOP_GRACE_SECONDS = 10.0

#: A merchant code: ``imp`` followed by 8 digits.
MERCHANT_CODE = re.compile(r"^imp\d{8}$")
_CODE_LINE = re.compile(r"merchant code \(IMP\.init\):\s+(\S+)")
_KEY_LINE = re.compile(r"REST API key \(imp_key\):\s+(\S+)")
_SECRET_LINE = re.compile(r"REST API secret:\s+(\S+)")


def homeport_command() -> list[str]:
    """The installed ``homeport`` console script next to this interpreter (or ``-m homeport``)."""
    script = Path(sys.executable).parent / "homeport"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "homeport"]  # same entry point, when bin/ is elsewhere


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def homeport_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment an operator would give homeport: ours without HOMEPORT_*, plus overrides."""
    # The child needs PATH, HOME, locale and so on; HOMEPORT_* from the caller are dropped so
    # a developer's own settings cannot leak into the test server.
    inherited = os.environ  # noqa: TID251 - passing the environment to a child process
    env = {k: v for k, v in inherited.items() if not k.startswith("HOMEPORT_")}
    env.update(
        PYTHONUNBUFFERED="1",
        PYTHONUTF8="1",
        PYTHONIOENCODING="utf-8",
        HOMEPORT_DATA_DIR=str(data_dir),
        HOMEPORT_LOG_LEVEL="warning",
    )
    env.update(overrides)
    return env


def pinned_demo_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """:func:`homeport_env` with the test encryption key and the demo merchant's key and secret
    pinned to ``tests.support.DEMO_KEY`` / ``DEMO_SECRET``, so a test can call the server as it."""
    return homeport_env(
        data_dir,
        HOMEPORT_ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
        HOMEPORT_DEMO="true",
        HOMEPORT_DEMO_IMP_KEY=DEMO_KEY,
        HOMEPORT_DEMO_IMP_SECRET=DEMO_SECRET,
        **overrides,
    )


def run_homeport(
    *args: str, env: Mapping[str, str], cwd: Path, timeout: float = COMMAND_TIMEOUT_SECONDS
) -> subprocess.CompletedProcess[str]:
    """Run one ``homeport`` command to completion and capture its output."""
    return subprocess.run(
        [*homeport_command(), *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


@dataclass(frozen=True)
class Credentials:
    """A merchant's code and REST API key and secret, as the CLI printed them."""

    code: str
    imp_key: str
    imp_secret: str


def printed_credentials(output: str) -> Credentials | None:
    """The credentials ``merchant create`` or ``serve`` printed, or None if none were."""
    code, key, secret = (pattern.search(output) for pattern in (_CODE_LINE, _KEY_LINE, _SECRET_LINE))
    if code is None or key is None or secret is None:
        return None
    return Credentials(code.group(1), key.group(1), secret.group(1))


class HomeportServer:
    """One ``homeport serve`` child process; its output goes to files in its data directory."""

    def __init__(self, data_dir: Path, env: Mapping[str, str], port: int | None = None) -> None:
        self.data_dir = data_dir
        self.env = dict(env)
        self.port = port or free_port()
        data_dir.mkdir(parents=True, exist_ok=True)
        self._stdout_path = data_dir.parent / f"{data_dir.name}-serve-{self.port}.out"
        self._stderr_path = data_dir.parent / f"{data_dir.name}-serve-{self.port}.err"
        with self._stdout_path.open("wb") as out, self._stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [*homeport_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=dict(env),
                cwd=data_dir.parent,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
            )

    @property
    def host(self) -> str:
        """Origin without a trailing slash (``http://127.0.0.1:PORT``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Origin with a trailing slash, as iamport-rest-client and iamporter want it."""
        return self.host + "/"

    def settings(self) -> Settings:
        """Settings for services in the test process on the server's database and data directory.

        The encryption key is ``TEST_ENCRYPTION_KEY``: start the server with :func:`pinned_demo_env`.
        """
        sqlite_url = f"sqlite:///{self.data_dir / 'homeport.db'}"  # the default inside the data dir
        return settings_for(self.data_dir, self.env.get("HOMEPORT_DATABASE_URL", sqlite_url))

    @property
    def stdout(self) -> str:
        """Everything the server printed to stdout so far."""
        return self._stdout_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        """Everything the server printed to stderr so far."""
        return self._stderr_path.read_text(encoding="utf-8", errors="replace")

    def describe(self) -> str:
        """Exit status and output, for assertion messages."""
        return (
            f"homeport serve on port {self.port} (pid {self.process.pid}, "
            f"exit {self.process.poll()})\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )

    def wait_healthy(self, timeout: float = HEALTH_TIMEOUT_SECONDS) -> None:
        """Block until ``GET /health`` answers 200; fail early if the process exits."""
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.base_url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise AssertionError(f"server exited before becoming healthy:\n{self.describe()}")
                try:
                    if client.get("/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise AssertionError(f"server not healthy within {timeout} s:\n{self.describe()}")

    def stop(self) -> None:
        """Terminate the process by its PID; kill it if it does not exit in time."""
        stop_process(self.process)


def stop_process(process: subprocess.Popen[bytes]) -> int | None:
    """Terminate a child by its PID, kill it if it does not exit in time; its exit status if
    it exited by itself (None when it had to be killed)."""
    if process.poll() is not None:
        return process.returncode
    process.terminate()
    try:
        return process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_GRACE_SECONDS)
        return None


@contextmanager
def running_server(data_dir: Path, env: Mapping[str, str]) -> Iterator[HomeportServer]:
    """A healthy ``homeport serve``, stopped on exit whatever happens."""
    server = HomeportServer(data_dir, env)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@contextmanager
def started_together(servers: list[tuple[Path, Mapping[str, str]]]) -> Iterator[list[HomeportServer]]:
    """Several ``homeport serve`` processes launched at the same moment, all stopped on exit."""
    started: list[HomeportServer] = []
    try:
        for data_dir, env in servers:
            started.append(HomeportServer(data_dir, env))
        yield started
    finally:
        for server in started:
            server.stop()


def get_token(client: httpx.Client, credentials: Credentials) -> dict[str, object]:
    """``POST /users/getToken`` with a merchant's key and secret; the envelope's response."""
    answer = client.post(
        "/users/getToken", json={"imp_key": credentials.imp_key, "imp_secret": credentials.imp_secret}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["code"] == 0, body
    response: dict[str, object] = body["response"]
    return response


_databases = itertools.count(1)


def fresh_postgres_database(pg_server: Any, prefix: str) -> str:
    """An empty (never migrated) database on the test PostgreSQL server; its plain URL."""
    name = f"{prefix}_{os.getpid()}_{next(_databases)}"
    pg_server.psql(f"CREATE DATABASE {name};")
    return str(pg_server.get_uri(name))


class HomeportWorker:
    """One ``homeport worker`` child process; output to files beside its data directory."""

    def __init__(self, data_dir: Path, env: Mapping[str, str], label: str) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self._stdout_path = data_dir.parent / f"{data_dir.name}-worker-{label}.out"
        self._stderr_path = data_dir.parent / f"{data_dir.name}-worker-{label}.err"
        with self._stdout_path.open("wb") as out, self._stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [*homeport_command(), "worker"],
                env=dict(env),
                cwd=data_dir.parent,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
            )

    @property
    def output(self) -> str:
        """Everything the worker printed so far (stdout, then stderr)."""
        out = self._stdout_path.read_text(encoding="utf-8", errors="replace")
        return out + self._stderr_path.read_text(encoding="utf-8", errors="replace")

    def describe(self) -> str:
        """Exit status and output, for assertion messages."""
        return f"homeport worker pid {self.process.pid} (exit {self.process.poll()})\n{self.output}"

    def kill(self) -> None:
        """SIGKILL: the process dies at once, wherever it was (a crash, as far as data goes)."""
        self.process.kill()
        self.process.wait(timeout=STOP_GRACE_SECONDS)

    def stop(self) -> int | None:
        """SIGTERM, as an operator or a supervisor stops it; its exit status (None if killed)."""
        return stop_process(self.process)


@contextmanager
def running_workers(data_dir: Path, env: Mapping[str, str], count: int = 1) -> Iterator[list[HomeportWorker]]:
    """``count`` ``homeport worker`` processes on one data directory, stopped on exit."""
    workers: list[HomeportWorker] = []
    try:
        for n in range(count):
            workers.append(HomeportWorker(data_dir, env, f"{os.getpid()}-{next(_databases)}-{n}"))
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def wait_for(condition: Any, *, timeout: float, interval: float = 0.2, what: str = "condition") -> Any:
    """Poll ``condition()`` until it returns something truthy (returned) or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached within {timeout} s")
        time.sleep(interval)
