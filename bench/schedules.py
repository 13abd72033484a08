"""``bench/run schedules`` (``python -m bench.schedules``): due schedules charged per second by
one ``homeport worker`` process and by two, on one PostgreSQL; the ratio two / one.

For each worker count, in the same session: a fresh database on one PostgreSQL server (from
the pgserver wheel) and a fresh data directory (so a fresh KCP sandbox ledger); a merchant with
the sandbox billing channel, one billing key and ``--schedules`` schedules, stored far in the
future through homeport's own services; the workers are started and, once each says it is
running, one UPDATE makes every schedule due at the same moment, so process start-up is not
measured. The clock runs from that UPDATE until every schedule is executed (polled every
0.1 s, bounded by ``--timeout``). One worker is the baseline of two: the same machine, the same
PostgreSQL, the same KCP sandbox, minutes apart. Nothing here asserts performance.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update

from bench.processes import BenchError, child_environment, python_script
from homeport.app import build_services, prepare
from homeport.clock import SystemClock
from homeport.config import load_settings
from homeport.domain.billing_keys.models import CustomerInfo
from homeport.domain.merchants.models import NewChannel
from homeport.domain.payments.orders import ChargeOrder
from homeport.domain.schedules.models import ScheduledCharge
from homeport.observability.logging import configure_logging
from homeport.pg.base import CardInput
from homeport.store.database import create_engine
from homeport.store.tables import payment_schedules

#: Base64 of 32 bytes: the at-rest key of the throw-away databases (never a real one).
BENCH_ENCRYPTION_KEY = "YmVuY2gtb25seS1rZXktaG9tZXBvcnQtMzJieXRlcyE="
CUSTOMER = "bench-subscriber"
#: How long the workers may take to say they are running.
START_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Run:
    """One measurement: how many workers charged how many schedules in how long."""

    workers: int
    schedules: int
    seconds: float
    shares: list[int]

    @property
    def rate(self) -> float:
        """Schedules executed per second."""
        return self.schedules / self.seconds


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run schedules", description=__doc__.split("\n\n")[0])
    parser.add_argument("--schedules", type=int, default=1000, help="due schedules per run (default 1000)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="bound on one run's seconds (default 600)"
    )
    return parser.parse_args(argv)


def environment(data_dir: Path, database_url: str) -> dict[str, str]:
    return child_environment(
        HOMEPORT_DATA_DIR=str(data_dir),
        HOMEPORT_DATABASE_URL=database_url,
        HOMEPORT_ENCRYPTION_KEY=BENCH_ENCRYPTION_KEY,
        HOMEPORT_DEMO="false",
        HOMEPORT_LOG_LEVEL="info",  # each worker logs schedule.executed: its share
        HOMEPORT_WORKER_POLL_SECONDS=str(POLL_SECONDS),
    )


async def _seed(env: dict[str, str], count: int) -> None:
    """The merchant, its billing key and ``count`` schedules a year ahead (migrates first)."""
    services = build_services(load_settings(env))
    try:
        await prepare(services, create_demo=False)
        created = await services.merchants.create(
            "Bench subscriptions",
            channels=[
                NewChannel(site_code="T0000"),
                NewChannel(site_code="A52Q7", batch_group_id="A52Q71000489", is_default=False),
            ],
        )
        merchant_id = created.merchant.id
        card = CardInput(
            number="4111111111111111",
            expiry="2031-12",
            birth="800101",
            password_2digit="12",  # noqa: S106 - a card the KCP sandbox approves
        )
        await services.billing_keys.issue(merchant_id, CUSTOMER, card, CustomerInfo(name="벤치"))
        later = SystemClock().now() + 365 * 24 * 3600
        charges = [
            ScheduledCharge(ChargeOrder(merchant_uid=f"bench-{n:06d}", amount=1000, name="bench"), later)
            for n in range(count)
        ]
        for start in range(0, count, 500):
            await services.schedules.schedule(merchant_id, CUSTOMER, charges[start : start + 500])
    finally:
        await services.close()


async def _make_due(database_url: str) -> None:
    engine = create_engine(load_settings({"HOMEPORT_DATABASE_URL": database_url}).sqlalchemy_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(update(payment_schedules).values(schedule_at=SystemClock().now()))
    finally:
        await engine.dispose()


async def _executed(database_url: str, deadline: float) -> None:
    """Return once every schedule is executed; BenchError past ``deadline`` (monotonic)."""
    engine = create_engine(load_settings({"HOMEPORT_DATABASE_URL": database_url}).sqlalchemy_url)
    t = payment_schedules.c
    try:
        while True:
            async with engine.connect() as connection:
                waiting = await connection.scalar(
                    select(func.count()).select_from(payment_schedules).where(t.status != "executed")
                )
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise BenchError(f"{waiting} schedules still not executed when the run's --timeout ended")
            await asyncio.sleep(POLL_SECONDS)
    finally:
        await engine.dispose()


@contextmanager
def workers(count: int, env: dict[str, str], logs: Path) -> Iterator[list[Path]]:
    """``count`` ``homeport worker`` processes, running once yielded; stopped by PID on exit."""
    started: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for n in range(count):
            out = logs / f"worker-{count}-{n}.out"
            with out.open("wb") as sink:
                process = subprocess.Popen(
                    [*python_script("homeport"), "worker"],
                    env=env,
                    cwd=logs,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            started.append((process, out))
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        for process, out in started:
            while "homeport worker running" not in out.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"a worker did not start:\n{out.read_text(errors='replace')[-2000:]}")
                time.sleep(POLL_SECONDS)
        yield [out for _, out in started]
    finally:
        for process, _ in started:
            process.terminate()
        for process, _ in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def measure(server_uri: str, work: Path, count: int, args: argparse.Namespace) -> Run:
    data_dir = work / f"workers-{count}"
    env = environment(data_dir, server_uri)
    print(f"[{count} worker(s)] seeding {args.schedules} schedules")
    asyncio.run(_seed(env, args.schedules))
    with workers(count, env, work) as logs:
        asyncio.run(_make_due(server_uri))
        started = time.monotonic()
        asyncio.run(_executed(server_uri, started + args.timeout))
        seconds = time.monotonic() - started
    shares = [log.read_text(errors="replace").count("schedule.executed") for log in logs]
    return Run(count, args.schedules, seconds, shares)


def main(argv: list[str] | None = None) -> int:
    """Measure one worker, then two; print the table and the ratio."""
    args = parse_args(argv)
    configure_logging(json=False, level="warning")  # seeding runs homeport's services here
    runs: list[Run] = []
    try:
        with tempfile.TemporaryDirectory(prefix="homeport-bench-schedules-") as tmp, ExitStack() as stack:
            work = Path(tmp)
            server = stack.enter_context(_server(work))
            for count in (1, 2):
                runs.append(measure(server(f"bench_schedules_{count}"), work, count, args))
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: workers stopped", file=sys.stderr)
        return 130
    print("\n| workers | schedules | seconds | schedules/s | per worker (executed) |")
    print("| ---: | ---: | ---: | ---: | --- |")
    for run in runs:
        shares = " / ".join(str(s) for s in run.shares)
        print(f"| {run.workers} | {run.schedules} | {run.seconds:.1f} | {run.rate:.1f} | {shares} |")
    print(f"\ntwo workers / one worker: {runs[1].rate / runs[0].rate:.2f}")
    return 0


@contextmanager
def _server(work: Path) -> Iterator[Callable[[str], str]]:
    """One PostgreSQL server (pgserver wheel, as bench.__main__); calling the yielded function
    creates a database and returns its URL. Stopped on exit."""
    warnings.filterwarnings("ignore", "XDG_RUNTIME_DIR is not set")
    import pgserver  # noqa: PLC0415 - as in bench.__main__

    server = pgserver.get_server(work / "pgdata", cleanup_mode="stop")

    def database(name: str) -> str:
        server.psql(f"CREATE DATABASE {name};")
        return str(server.get_uri(name))

    try:
        yield database
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
