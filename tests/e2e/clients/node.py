"""Driving the npm i'mport clients through their scripts in ``tests/clients/node``.

Each client has a script (installed by ``scripts/install-node-clients``) that runs as one
``node`` process for the whole package and answers batches of calls on stdin/stdout (protocol
in ``common.mjs``); every batch gets a fresh client instance pointed at homeport, and its calls
share that instance (and its token cache), as in merchant code. A call names a client method
by its dotted path from the script's root object, so a new client method needs no JavaScript::

    legacy.ok("subscribe_customer.get", {"customer_uid": "nodel-cust"})
    sdk.ok("subscribe.customers.at", "sdk-cust")
    created, read = node.run(call("Customers.postBillingKey", {...}), call("Customers.getBillingKey", {...}))

A client calls as the demo merchant unless told otherwise: ``node.as_merchant(key, secret)``
is the same script calling with another merchant's key and secret (the write scenarios'
merchant, see ``shop.py``).

Processes are started here, stopped by their PID when the package's tests are done, and
restarted if one dies or hangs (its stderr goes to a file named in the failure message).
"""

from __future__ import annotations

import contextlib
import json
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, NamedTuple

import pytest

from tests.support import DEMO_KEY, DEMO_SECRET

NODE_DIR = Path(__file__).resolve().parents[2] / "clients" / "node"
#: How long one batch may take (each call is a few HTTP requests to a loopback server).
BATCH_TIMEOUT_SECONDS = 30
STOP_GRACE_SECONDS = 5


class Call(NamedTuple):
    """One client method (dotted path, or a named operation of the script) and its arguments."""

    method: str
    args: tuple[Any, ...]


def call(method: str, *args: Any) -> Call:
    """A call of ``method`` with positional ``args`` (JSON values)."""
    return Call(method, args)


@dataclass(frozen=True)
class Outcome:
    """What one call handed back to merchant code."""

    ok: bool
    result: Any = None
    error: dict[str, Any] | None = None

    @property
    def value(self) -> Any:
        """The resolved value of a call that must have succeeded."""
        assert self.ok, self.error
        return self.result

    @property
    def failure(self) -> dict[str, Any]:
        """The rejection of a call that must have failed."""
        assert not self.ok, self.result
        assert self.error is not None
        return self.error


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)  # end of output: the process exited


class _Script:
    """One running client script."""

    def __init__(self, script: str, env: dict[str, str], stderr_path: Path) -> None:
        self.script = script
        self.stderr_path = stderr_path
        with stderr_path.open("ab") as stderr:
            self.process = subprocess.Popen(
                [_node(), str(NODE_DIR / script)],
                cwd=NODE_DIR,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                encoding="utf-8",
            )
        assert self.process.stdout is not None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=_pump, args=(self.process.stdout, self.lines), daemon=True)
        self.reader.start()

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self.process.stdin.flush()
            line = self.lines.get(timeout=BATCH_TIMEOUT_SECONDS)
        except (BrokenPipeError, queue.Empty):
            line = None
        if line is None:
            self.stop()
            pytest.fail(
                f"node {self.script} died or hung on {request['calls']} (exit {self.process.poll()}; "
                f"a missing package? run scripts/install-node-clients); stderr: {self.stderr_path}\n"
                + self.stderr_path.read_text(encoding="utf-8", errors="replace")[-4000:]
            )
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()  # end of input: the script exits on its own
        try:
            self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_GRACE_SECONDS)
        self.reader.join(timeout=STOP_GRACE_SECONDS)  # it has read up to end of output
        if self.process.stdout is not None:
            self.process.stdout.close()


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; install Node.js 20 and run scripts/install-node-clients")
    if not (NODE_DIR / "node_modules").is_dir():
        pytest.fail(
            f"npm clients are not installed in {NODE_DIR}/node_modules; run scripts/install-node-clients"
        )
    return node


class NodeRunner:
    """The client scripts of one test package, each started on first use and kept running."""

    def __init__(self, host: str, log_dir: Path) -> None:
        self.host = host
        self.log_dir = log_dir
        self._scripts: dict[str, _Script] = {}

    def client(self, script: str) -> NodeClient:
        """The npm client driven by ``tests/clients/node/<script>``."""
        return NodeClient(script, self)

    def run(self, script: str, calls: tuple[Call, ...], key: str, secret: str) -> list[Outcome]:
        """Run ``calls`` as one batch of ``script`` with ``key`` and ``secret``; one outcome per call."""
        running = self._scripts.get(script)
        if running is None or not running.alive():
            running = self._scripts[script] = self._start(script)
        batch = {"key": key, "secret": secret, "calls": [[c.method, list(c.args)] for c in calls]}
        answer = running.ask(batch)
        if "broken" in answer:
            pytest.fail(f"node {script} could not run {[c.method for c in calls]}:\n{answer['broken']}")
        outcomes = [Outcome(**outcome) for outcome in answer["outcomes"]]
        assert len(outcomes) == len(calls), answer
        return outcomes

    def _start(self, script: str) -> _Script:
        env = {
            "HOMEPORT_BASE_URL": self.host,
            "IMP_KEY": DEMO_KEY,
            "NODE_NO_WARNINGS": "1",
        }
        return _Script(script, env, self.log_dir / f"{Path(script).stem}.stderr")

    def stop(self) -> None:
        """Stop every script this runner started."""
        for running in self._scripts.values():
            running.stop()
        self._scripts.clear()


@dataclass(frozen=True)
class NodeClient:
    """One npm client's script, pointed at a live homeport, calling as one merchant."""

    script: str
    runner: NodeRunner
    imp_key: str = DEMO_KEY
    imp_secret: str = DEMO_SECRET

    @property
    def host(self) -> str:
        """The origin the client is pointed at (``http://127.0.0.1:PORT``)."""
        return self.runner.host

    def as_merchant(self, imp_key: str, imp_secret: str) -> NodeClient:
        """The same client calling with another merchant's REST API key and secret."""
        return replace(self, imp_key=imp_key, imp_secret=imp_secret)

    def run(self, *calls: Call, secret: str | None = None) -> list[Outcome]:
        """Run ``calls`` in order on one fresh client; one outcome per call. ``secret``
        replaces the merchant's secret (a wrong one, for authentication failures)."""
        return self.runner.run(self.script, calls, self.imp_key, secret or self.imp_secret)

    def ok(self, method: str, *args: Any, secret: str | None = None) -> Any:
        """The resolved value of one call that must succeed."""
        (outcome,) = self.run(call(method, *args), secret=secret)
        return outcome.value

    def error(self, method: str, *args: Any, secret: str | None = None) -> dict[str, Any]:
        """The rejection of one call that must fail."""
        (outcome,) = self.run(call(method, *args), secret=secret)
        return outcome.failure
