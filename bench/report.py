"""Figures of a bench session: one table, ratios to the baseline, CPU per request, and JSON."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.loadgen import WrkResult


@dataclass(frozen=True)
class Measurement:
    """One measured wrk run against one server, with the CPU each side used meanwhile."""

    server: str  # "baseline" or "homeport"
    result: WrkResult
    #: CPU seconds during the run: "server", "wrk" and, on PostgreSQL, "database".
    cpu: dict[str, float]

    def cpu_us_per_request(self, side: str) -> float | None:
        """CPU microseconds ``side`` spent per answered request (None if not measured)."""
        if side not in self.cpu or not self.result.requests:
            return None
        return self.cpu[side] * 1e6 / self.result.requests

    def other_load(self) -> float:
        """Cores kept busy by anything but the server, its database and wrk during the run."""
        ours = sum(self.cpu.get(side, 0.0) for side in _SIDES)
        return max(0.0, (self.cpu.get("machine", 0.0) - ours) / (self.result.duration_us / 1e6 or 1))

    def cores(self, side: str) -> float | None:
        """How many cores ``side`` kept busy on average."""
        if side not in self.cpu or not self.result.duration_us:
            return None
        return self.cpu[side] / (self.result.duration_us / 1e6)


@dataclass(frozen=True)
class Comparison:
    """homeport and the baseline, measured one right after the other with the same requests."""

    database: str
    endpoint: str
    baseline: Measurement
    homeport: Measurement

    def ratios(self) -> dict[str, float]:
        """homeport / baseline: throughput (below 1 means slower) and latencies (above 1)."""
        b, h = self.baseline.result, self.homeport.result
        pairs = {
            "throughput": (h.rate, b.rate),
            "p50": (h.p50_us, b.p50_us),
            "p90": (h.p90_us, b.p90_us),
            "p99": (h.p99_us, b.p99_us),
            "max": (h.max_us, b.max_us),
        }
        return {name: (top / bottom if bottom else float("nan")) for name, (top, bottom) in pairs.items()}


@dataclass
class Session:
    """Everything one ``bench/run`` measured, and how."""

    settings: dict[str, Any]
    comparisons: list[Comparison] = field(default_factory=list)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


#: Cores busy beyond our processes during a run above which its figures are flagged as disturbed.
OTHER_LOAD_WARNING_CORES = 0.25
_SIDES = ("server", "database", "wrk")


def _ms(us: float) -> str:
    return f"{us / 1000:8.2f}"


def _figures(database: str, endpoint: str, m: Measurement) -> str:
    r = m.result
    return (
        f"{database:9} {endpoint:30} {m.server:9} {r.rate:9.1f} {_ms(r.p50_us)} {_ms(r.p90_us)} "
        f"{_ms(r.p99_us)} {_ms(r.max_us)} {r.requests:9d}"
    )


def _cpu(database: str, endpoint: str, m: Measurement) -> str:
    cells = []
    for side in _SIDES:
        per_request, cores = m.cpu_us_per_request(side), m.cores(side)
        cells.append("" if per_request is None or cores is None else f"{per_request:8.0f} ({cores:4.2f})")
    return (
        f"{database:9} {endpoint:30} {m.server:9} "
        + " ".join(f"{c:>16}" for c in cells)
        + (f" {m.cores('machine') or 0:8.2f}   {m.other_load():5.2f}")
    )


def print_table(session: Session) -> None:
    """The figures, one line per server and one line of ratios per comparison; then CPU."""
    print()
    print(
        f"{'database':9} {'endpoint':30} {'server':9} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'requests':>9}"
    )
    for c in session.comparisons:
        print(_figures(c.database, c.endpoint, c.baseline))
        print(_figures(c.database, c.endpoint, c.homeport))
        ratio = c.ratios()
        print(
            f"{'':9} {'':30} {'ratio':9} {ratio['throughput']:9.4f} {ratio['p50']:8.1f} "
            f"{ratio['p90']:8.1f} {ratio['p99']:8.1f} {ratio['max']:8.1f}   homeport / baseline"
        )
    print()
    print("CPU during each measured run: microseconds per request (cores busy on average)")
    print(
        f"{'database':9} {'endpoint':30} {'server':9} {'server':>16} {'database':>16} {'wrk':>16} "
        f"{'machine':>8}   {'other':>5}"
    )
    for c in session.comparisons:
        print(_cpu(c.database, c.endpoint, c.baseline))
        print(_cpu(c.database, c.endpoint, c.homeport))
    print("(machine: all cores busy, kernel network work included; other: machine minus our processes)")
    print()
    for c in session.comparisons:
        ratio = c.ratios()
        print(
            f"{c.database} {c.endpoint}: homeport reaches {ratio['throughput']:.4f} of the baseline's "
            f"throughput (1/{1 / ratio['throughput']:.0f}); its p50 is {ratio['p50']:.1f}x and its p99 "
            f"{ratio['p99']:.1f}x the baseline's"
        )
    print()
    print(generator_check(session))


def generator_check(session: Session) -> str:
    """Why the figures are the servers' and not wrk's, or warnings where they may not be."""
    lines = ["Load generator check:"]
    for c in session.comparisons:
        for m in (c.baseline, c.homeport):
            wrk, server = m.cpu_us_per_request("wrk"), m.cpu_us_per_request("server")
            if wrk is None or server is None:
                continue
            verdict = "ok" if wrk < server else "WARNING: wrk costs as much as the server"
            lines.append(
                f"  {c.database} {c.endpoint} {m.server}: wrk {wrk:.1f} us/req vs server {server:.1f} us/req"
                f" - {verdict}"
            )
            if m.other_load() > OTHER_LOAD_WARNING_CORES:
                lines.append(
                    f"    WARNING: other processes kept {m.other_load():.2f} cores busy during this run;"
                    " its figures are disturbed"
                )
        lines.append(
            f"  {c.database} {c.endpoint}: with the same wrk, script and connections the baseline answered "
            f"{c.baseline.result.rate:.0f} req/s, {c.baseline.result.rate / c.homeport.result.rate:.0f}x "
            "homeport's rate, so wrk is not what limits homeport"
        )
    return "\n".join(lines)


def to_json(session: Session) -> dict[str, Any]:
    """The session as plain data (``--json``)."""
    return {
        "settings": session.settings,
        "comparisons": [
            {
                "database": c.database,
                "endpoint": c.endpoint,
                "ratios_homeport_over_baseline": c.ratios(),
                **{
                    m.server: {
                        **asdict(m.result),
                        "rate": m.result.rate,
                        "cpu_seconds": m.cpu,
                        "cpu_us_per_request": {side: m.cpu_us_per_request(side) for side in m.cpu},
                    }
                    for m in (c.baseline, c.homeport)
                },
            }
            for c in session.comparisons
        ],
    }


def write_json(session: Session, path: Path) -> None:
    """Write :func:`to_json` to ``path``."""
    path.write_text(json.dumps(to_json(session), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
