"""The load generator: Debian's ``wrk`` (C, epoll) driven by ``bench/wrk.lua``.

wrk costs a few microseconds of CPU per request, far less than the servers measured here, so
the figures are the server's, not the generator's; each run reports wrk's own CPU time to show
it (see ``report``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.processes import BenchError

SCRIPT = Path(__file__).with_name("wrk.lua")
#: A request not answered within this many seconds counts as a timeout (wrk's default is 2 s,
#: too short for a server queueing 32 connections on a slow path).
TIMEOUT_SECONDS = 10


def ensure_wrk() -> str:
    """The path of ``wrk``; installed from Debian with apt-get when missing (needs root)."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: installing the Debian package 'wrk' with apt-get")
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        if subprocess.run(step, check=False).returncode != 0:
            raise BenchError(f"could not install wrk ({' '.join(step)} failed); install it and rerun")
    found = shutil.which("wrk")
    if not found:
        raise BenchError("apt-get installed wrk but it is not on PATH")
    return found


@dataclass(frozen=True)
class Load:
    """What wrk sends: a mode of wrk.lua and its arguments."""

    mode: str  # "get" or "again"
    token: str  # Authorization header, "-" for none
    target: str  # get: file of paths; again: customer_uid
    expect: str  # an expected answer is HTTP 200 with this in the body


@dataclass(frozen=True)
class WrkResult:
    """One wrk run's figures; latencies in microseconds."""

    requests: int
    duration_us: int
    bytes: int
    connect_errors: int
    read_errors: int
    write_errors: int
    status_errors: int
    timeouts: int
    unexpected: int
    mean_us: float
    p50_us: int
    p90_us: int
    p99_us: int
    max_us: int
    first_unexpected: str | None = None

    @property
    def rate(self) -> float:
        """Answered requests per second."""
        return self.requests / (self.duration_us / 1e6) if self.duration_us else 0.0

    @property
    def errors(self) -> int:
        """Socket errors and timeouts (status and body problems are in ``unexpected``)."""
        return self.connect_errors + self.read_errors + self.write_errors + self.timeouts


def parse_output(output: str) -> WrkResult:
    """The ``WRK_JSON`` (and ``WRK_UNEXPECTED``) lines wrk.lua's done() printed."""
    figures: dict[str, Any] | None = None
    first_unexpected = None
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            figures = json.loads(line.removeprefix("WRK_JSON "))
        elif line.startswith("WRK_UNEXPECTED "):
            first_unexpected = line.removeprefix("WRK_UNEXPECTED ")
    if figures is None:
        raise BenchError(f"wrk printed no figures; its output was:\n{output}")
    return WrkResult(**figures, first_unexpected=first_unexpected)


def run(
    wrk: str,
    url: str,
    load: Load,
    *,
    label: str,
    seconds: float,
    connections: int,
    threads: int,
    max_requests: int,
) -> WrkResult:
    """One bounded wrk run (``seconds`` long, at most about ``max_requests`` answers)."""
    per_thread = max(1, max_requests // threads)
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={TIMEOUT_SECONDS}s",
        f"--script={SCRIPT}",
        url,
        "--",
        load.mode,
        load.token,
        load.target,
        label,
        load.expect,
        str(per_thread),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=seconds + TIMEOUT_SECONDS + 30
    )
    if done.returncode != 0:
        raise BenchError(f"wrk exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return parse_output(done.stdout)
