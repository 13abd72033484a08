"""``bench/run`` (``python -m bench``): homeport's throughput and latency against a baseline.

For each database (SQLite, PostgreSQL from the pgserver wheel) a ``homeport serve`` process is
started on a free loopback port with a throw-away data directory and the demo merchant, seeded
through the REST API, and each endpoint is measured with wrk right after the baseline (a raw
ASGI app on the same uvicorn settings, bench/baseline.py) is measured with the same requests.
Every measurement is a warm-up then a fixed-duration, bounded run; figures are printed and,
with ``--json``, written to a file. Nothing here asserts performance.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

from bench import cpu, loadgen, seed
from bench.processes import BenchError, ServerProcess, child_environment, free_port, python_script, running
from bench.report import Comparison, Measurement, Session, machine, print_table, write_json

#: The demo merchant's REST API key and secret, pinned so the harness can call homeport as it.
DEMO_KEY = "bench00000000001"
DEMO_SECRET = "bench-secret-for-benchmarks-only-0123456789abcdefghijklmnopqrstuv"  # noqa: S105 - throw-away demo secret of a temporary server
ENDPOINTS = {"get": "GET /payments/{imp_uid}", "again": "POST /subscribe/payments/again"}
DATABASES = ("sqlite", "postgres")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (every figure of a run is configurable; defaults follow the issue)."""
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", choices=[*DATABASES, "both"], default="both", help="homeport's database (default both)"
    )
    parser.add_argument(
        "--endpoint",
        choices=[*ENDPOINTS, "both"],
        default="both",
        help="get: GET /payments/{imp_uid}; again: POST /subscribe/payments/again (default both)",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per run (default 10)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of warm-up before each run (default 2)"
    )
    parser.add_argument("--concurrency", type=int, default=32, help="open connections (default 32)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: 2-core machine)")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=1_000_000,
        help="bound on answers per run, a safety net above any rate seen here (default 1000000)",
    )
    parser.add_argument(
        "--payments", type=int, default=200, help="paid payments the GET run reads (default 200)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.threads > args.concurrency:
        parser.error("--threads must not exceed --concurrency (wrk gives each thread connections)")
    return args


@contextmanager
def postgres(work: Path) -> Iterator[tuple[str, int]]:
    """A PostgreSQL server from the pgserver wheel (as tests/conftest.py); its URL and PID."""
    warnings.filterwarnings("ignore", "XDG_RUNTIME_DIR is not set")
    import pgserver  # noqa: PLC0415 - only PostgreSQL runs pay for the import

    server = pgserver.get_server(work / "pgdata", cleanup_mode="stop")
    try:
        server.psql("CREATE DATABASE bench_homeport;")
        pid = server.get_pid()
        if pid is None:
            raise BenchError("pgserver started no PostgreSQL server")
        yield str(server.get_uri("bench_homeport")), pid
    finally:
        server.cleanup()


class Bench:
    """One session: the baseline server (stopped when ``stack`` closes), the generator and the
    figures so far."""

    def __init__(self, args: argparse.Namespace, work: Path, stack: ExitStack) -> None:
        self.args = args
        self.work = work
        self.wrk = loadgen.ensure_wrk()
        self.session = Session(settings=self._settings())
        port = free_port()
        self.baseline = stack.enter_context(
            running(
                "baseline",
                [sys.executable, str(Path(__file__).with_name("baseline.py")), "--port", str(port)],
                child_environment(),
                port,
                work,
                ready_path="/",
            )
        )

    def _settings(self) -> dict[str, Any]:
        a = self.args
        return {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),  # noqa: TID251 - when the figures were taken
            "machine": machine(),
            "uvicorn": version("uvicorn"),
            "uvloop": version("uvloop"),
            "httptools": version("httptools"),
            "server_processes": 1,
            "generator": f"wrk {self._wrk_version()}, {a.threads} thread(s)",
            "concurrency": a.concurrency,
            "warmup_seconds": a.warmup,
            "duration_seconds": a.duration,
            "max_requests": a.max_requests,
        }

    def _wrk_version(self) -> str:
        out = subprocess.run([self.wrk, "-v"], capture_output=True, text=True, check=False).stdout
        return out.split()[1] if len(out.split()) > 1 else "?"

    def homeport(self, database: str, stack: ExitStack) -> tuple[ServerProcess, dict[str, int]]:
        """``homeport serve`` on ``database`` with a fresh data directory and the pinned demo
        merchant, stopped when ``stack`` closes; with the database's PID for CPU accounting."""
        overrides = {
            "HOMEPORT_DATA_DIR": str(self.work / f"homeport-{database}"),
            "HOMEPORT_LOG_LEVEL": "warning",
            "HOMEPORT_DEMO": "true",
            "HOMEPORT_DEMO_IMP_KEY": DEMO_KEY,
            "HOMEPORT_DEMO_IMP_SECRET": DEMO_SECRET,
        }
        trees = {}
        if database == "postgres":
            url, pg_pid = stack.enter_context(postgres(self.work))
            overrides["HOMEPORT_DATABASE_URL"] = url
            trees["database"] = pg_pid
        port = free_port()
        server = stack.enter_context(
            running(
                f"homeport-{database}",
                [*python_script("homeport"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                child_environment(**overrides),
                port,
                self.work,
                ready_path="/health",
            )
        )
        return server, trees

    def measure(
        self, server: ServerProcess, load: loadgen.Load, name: str, trees: dict[str, int]
    ) -> Measurement:
        """Warm-up, then one measured run; CPU of the server, the database and wrk meanwhile."""
        a = self.args
        common = {"connections": a.concurrency, "threads": a.threads, "max_requests": a.max_requests}
        if a.warmup > 0:
            loadgen.run(self.wrk, server.url, load, label=f"{name}-warmup", seconds=a.warmup, **common)
        with cpu.measured({"server": server.pid, **trees}, reaped_as="wrk") as use:
            result = loadgen.run(
                self.wrk, server.url, load, label=f"{name}-run", seconds=a.duration, **common
            )
        if result.requests >= (a.max_requests // a.threads) * a.threads:
            # wrk's threads stop at the bound but wrk still divides by the whole --duration.
            raise BenchError(
                f"{name}: the run reached --max-requests ({a.max_requests}) before --duration ended, "
                "so its rate would be understated; raise --max-requests or shorten --duration"
            )
        bad = result.errors + result.unexpected
        if bad:
            raise BenchError(
                f"{name}: {bad} of {result.requests} answers were errors or not the expected answer "
                f"(HTTP 200 with {load.expect!r} in the body); the first: {result.first_unexpected}"
            )
        return Measurement(name, result, use.seconds)

    def loads(self, server: ServerProcess, database: str, endpoints: list[str]) -> dict[str, loadgen.Load]:
        """Seed homeport through its REST API; what wrk sends for each endpoint."""
        loads = {}
        with httpx.Client(base_url=server.url, timeout=30.0) as client:
            token = seed.access_token(client, DEMO_KEY, DEMO_SECRET)
            customer_uid = seed.billing_key(client, token)
            # One charge first, so a homeport without again fails loudly here, not as 404 figures.
            seed.charge_again(client, token, customer_uid, f"bench-{database}-probe")
            if "again" in endpoints:
                loads["again"] = loadgen.Load("again", token, customer_uid, expect='"status":"paid"')
            if "get" in endpoints:
                imp_uids = seed.paid_payments(client, token, customer_uid, self.args.payments)
                print(f"[{database}] seeded {len(imp_uids)} paid payments through {seed.AGAIN_PATH}")
                paths = self.work / f"paths-{database}.txt"
                paths.write_text("".join(f"/payments/{uid}\n" for uid in imp_uids))
                loads["get"] = loadgen.Load("get", token, str(paths), expect='{"code":0,')
        return loads

    def run_database(self, database: str, endpoints: list[str]) -> None:
        """Start homeport on ``database``, seed it, and compare each endpoint with the baseline;
        homeport (and PostgreSQL) are stopped before the next database starts."""
        print(f"[{database}] starting homeport serve")
        with ExitStack() as stack:
            server, trees = self.homeport(database, stack)
            loads = self.loads(server, database, endpoints)
            for endpoint in endpoints:
                print(f"[{database}] {ENDPOINTS[endpoint]}: baseline, then homeport")
                baseline = self.measure(self.baseline, loads[endpoint], "baseline", {})
                homeport = self.measure(server, loads[endpoint], "homeport", trees)
                self.session.comparisons.append(Comparison(database, ENDPOINTS[endpoint], baseline, homeport))


def main(argv: list[str] | None = None) -> int:
    """Run the session; print the figures; 1 (with the reason) if honest figures were not possible."""
    args = parse_args(argv)
    # A SIGTERM (a CI runner giving up) stops the servers as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    databases = list(DATABASES) if args.database == "both" else [args.database]
    endpoints = list(ENDPOINTS) if args.endpoint == "both" else [args.endpoint]
    try:
        with tempfile.TemporaryDirectory(prefix="homeport-bench-") as tmp, ExitStack() as stack:
            bench = Bench(args, Path(tmp), stack)
            try:
                for database in databases:
                    bench.run_database(database, endpoints)
            finally:
                # What was measured before a failure is still worth printing.
                if bench.session.comparisons:
                    print_table(bench.session)
                    if args.json:
                        write_json(bench.session, args.json)
                        print(f"figures written to {args.json}")
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: servers stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
