"""Servers under measurement as child processes: started on loopback, stopped by their PID.

homeport and the baseline are started and stopped the same way (one process each, output to
files next to their data), so neither gets a different treatment from the harness. Each runs in
its own session so a Ctrl-C in the terminal reaches only the harness, which then stops them in
order (see ``__main__``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

#: How long a server may take to answer its readiness URL (homeport migrates first).
READY_TIMEOUT_SECONDS = 60.0
#: How long a server gets to exit after SIGTERM before it is killed.
STOP_GRACE_SECONDS = 10.0


class BenchError(Exception):
    """A benchmark cannot produce honest figures; the message says why."""


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_environment(**overrides: str) -> dict[str, str]:
    """Our environment without HOMEPORT_* (a developer's settings must not leak in), plus overrides."""
    inherited = os.environ  # noqa: TID251 - passing the environment to a child process
    env = {k: v for k, v in inherited.items() if not k.startswith("HOMEPORT_")}
    env.update(PYTHONUNBUFFERED="1", PYTHONUTF8="1", PYTHONIOENCODING="utf-8")
    env.update(overrides)
    return env


def python_script(name: str) -> list[str]:
    """A console script installed next to this interpreter (``homeport``), or ``-m name``."""
    script = Path(sys.executable).parent / name
    return [str(script)] if script.is_file() else [sys.executable, "-m", name]


class ServerProcess:
    """One server child process listening on 127.0.0.1:``port``."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], port: int, log_dir: Path) -> None:
        self.name = name
        self.port = port
        self._out = log_dir / f"{name}-{port}.out"
        self._err = log_dir / f"{name}-{port}.err"
        with self._out.open("wb") as out, self._err.open("wb") as err:
            self.process = subprocess.Popen(
                argv,
                env=dict(env),
                cwd=log_dir,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        """The process id, for CPU accounting and for stopping it."""
        return self.process.pid

    @property
    def url(self) -> str:
        """Origin without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def describe(self) -> str:
        """Exit status and the tail of the output, for error messages."""
        tail = "\n".join(
            path.read_text(encoding="utf-8", errors="replace")[-2000:] for path in (self._out, self._err)
        )
        return f"{self.name} on port {self.port} (pid {self.pid}, exit {self.process.poll()}):\n{tail}"

    def wait_ready(self, path: str, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Block until ``GET path`` answers 200; fail early if the process exits."""
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise BenchError(f"server exited before becoming ready:\n{self.describe()}")
                try:
                    if client.get(path).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise BenchError(f"server not ready within {timeout} s:\n{self.describe()}")

    def stop(self) -> None:
        """Terminate by PID; kill if it does not exit in time."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_GRACE_SECONDS)


@contextmanager
def running(
    name: str, argv: list[str], env: Mapping[str, str], port: int, log_dir: Path, ready_path: str
) -> Iterator[ServerProcess]:
    """A ready server, stopped by its PID on exit whatever happens (errors, Ctrl-C)."""
    server = ServerProcess(name, argv, env, port, log_dir)
    try:
        server.wait_ready(ready_path)
        yield server
    finally:
        server.stop()
