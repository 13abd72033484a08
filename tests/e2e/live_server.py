"""A real ``homeport serve`` process on loopback, for tests that drive third-party clients.

The server is started the way an operator starts it (the ``homeport`` console script, settings
from ``HOMEPORT_*`` variables) on a free port of 127.0.0.1, with the demo merchant's key and
secret pinned so the test knows them. Tests seed payments by building services on the same
database and data directory (see :meth:`LiveServer.settings`); the encryption key is shared.
Only the process started here is ever stopped, by its PID.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from homeport.config import Settings
from tests.support import DEMO_KEY, DEMO_SECRET, TEST_ENCRYPTION_KEY, settings_for

#: How long the server may take to migrate, create the demo merchant and answer /health.
STARTUP_TIMEOUT_SECONDS = 30.0
#: How long SIGTERM gets before SIGKILL.
STOP_TIMEOUT_SECONDS = 10.0

_MERCHANT_CODE = re.compile(r"merchant code \(IMP\.init\):\s*(imp\d{8})")


class LiveServerError(RuntimeError):
    """The server did not come up; the message carries its output."""


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def homeport_command() -> list[str]:
    """The installed ``homeport`` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "homeport"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "homeport"]  # same entry point, when bin/ is elsewhere


@dataclass
class LiveServer:
    """One running ``homeport serve``; use :func:`start_live_server` to get one."""

    data_dir: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    imp_key: str = DEMO_KEY
    imp_secret: str = DEMO_SECRET
    merchant_code: str | None = None
    _log: BinaryIO | None = field(default=None, repr=False)

    @property
    def host(self) -> str:
        """Origin without a trailing slash (``http://127.0.0.1:PORT``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Origin with a trailing slash, as iamport-rest-client and iamporter want it."""
        return self.host + "/"

    @property
    def database_url(self) -> str:
        """The SQLite database the server uses (the default inside its data directory)."""
        return f"sqlite:///{self.data_dir / 'homeport.db'}"

    def settings(self) -> Settings:
        """Settings for services in the test process on the server's database and key."""
        return settings_for(self.data_dir, self.database_url)

    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Terminate the process started for this server; kill it if it does not exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        if self._log is not None:
            self._log.close()


def _environment(data_dir: Path, port: int) -> dict[str, str]:
    # The child needs PATH, HOME, locale and so on; HOMEPORT_* from the caller are dropped so
    # a developer's own settings cannot leak into the test server.
    inherited = {
        k: v
        for k, v in os.environ.items()  # noqa: TID251 - passing the environment to a child process
        if not k.startswith("HOMEPORT_")
    }
    return {
        **inherited,
        "HOMEPORT_HOST": "127.0.0.1",
        "HOMEPORT_PORT": str(port),
        "HOMEPORT_DATA_DIR": str(data_dir),
        "HOMEPORT_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "HOMEPORT_DEMO": "true",
        "HOMEPORT_DEMO_IMP_KEY": DEMO_KEY,
        "HOMEPORT_DEMO_IMP_SECRET": DEMO_SECRET,
        "HOMEPORT_LOG_LEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
    }


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback http URL we built
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def start_live_server(data_dir: Path) -> LiveServer:
    """Start ``homeport serve`` on a free loopback port and wait until /health answers 200."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = data_dir / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [*homeport_command(), "serve"],
        env=_environment(data_dir, port),
        cwd=data_dir,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = LiveServer(data_dir=data_dir, port=port, process=process, log_path=log_path, _log=log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    try:
        while True:
            if process.poll() is not None:
                raise LiveServerError(f"homeport serve exited with {process.returncode}:\n{server.output()}")
            if _healthy(f"{server.host}/health"):
                break
            if time.monotonic() > deadline:
                raise LiveServerError(
                    f"homeport serve did not answer /health within {STARTUP_TIMEOUT_SECONDS:.0f} s:\n"
                    + server.output()
                )
            time.sleep(0.1)
    except BaseException:
        server.stop()
        raise
    match = _MERCHANT_CODE.search(server.output())
    server.merchant_code = match.group(1) if match else None
    return server
