"""``homeport serve`` runs the background workers in its event loop (HOMEPORT_WORKERS, default
true); apps built in-process (the tests' ``api`` fixture) run none unless asked; ``homeport
worker`` never migrates a database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from homeport.app import create_app
from homeport.services import Services
from homeport.store.tables import payment_schedules
from tests.e2e.processes import HomeportWorker, homeport_env, pinned_demo_env, running_server, wait_for
from tests.e2e.test_multi_process_schedules import DEADLINE, query, seed
from tests.support import TEST_ENCRYPTION_KEY, settings_for

WORKERS_TASK = "homeport-workers"


def running_task_names() -> set[str]:
    return {task.get_name() for task in asyncio.all_tasks()}


async def test_an_app_runs_the_worker_loop_only_when_asked(services: Services) -> None:
    quiet, busy = create_app(services), create_app(services, run_workers=True)

    async with quiet.router.lifespan_context(quiet):
        assert WORKERS_TASK not in running_task_names()
    async with busy.router.lifespan_context(busy):
        assert WORKERS_TASK in running_task_names()
    assert WORKERS_TASK not in running_task_names()  # stopped with the app


def test_serve_charges_a_due_schedule_by_itself(tmp_path: Path) -> None:
    data_dir = tmp_path / "shop"
    database_url = f"sqlite:///{data_dir / 'homeport.db'}"
    seed(settings_for(data_dir, database_url), [9900])
    env = pinned_demo_env(data_dir, HOMEPORT_WORKER_POLL_SECONDS="0.2")

    with running_server(data_dir, env):

        def executed() -> bool:
            rows = query(database_url, payment_schedules.select())
            return [(row.status, row.payment_status) for row in rows] == [("executed", "paid")]

        wait_for(executed, timeout=DEADLINE, what="serve's worker charging the due schedule")


def test_a_worker_on_an_unmigrated_database_waits_without_migrating_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "fresh"
    env = homeport_env(
        data_dir, HOMEPORT_ENCRYPTION_KEY=TEST_ENCRYPTION_KEY, HOMEPORT_WORKER_POLL_SECONDS="0.2"
    )
    worker = HomeportWorker(data_dir, env, "fresh")
    try:
        wait_for(
            lambda: "waiting for the database" in worker.output, timeout=DEADLINE, what="the worker waiting"
        )
    finally:
        status = worker.stop()

    assert status == 0, worker.describe()
    assert "run `homeport db upgrade`" in worker.output
    tables = query(
        f"sqlite:///{data_dir / 'homeport.db'}", text("SELECT name FROM sqlite_master WHERE type='table'")
    )
    assert tables == []
