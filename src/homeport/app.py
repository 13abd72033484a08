"""The composition root: settings in, a wired application out.

``build_services`` assembles storage, domain services and the clock; ``create_app`` puts the
HTTP surface on top. The CLI, the server and tests all go through these two functions, and
tests swap collaborators (a fake clock, another database) here rather than by patching.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from homeport import __version__
from homeport.api import payments as payments_api
from homeport.api import users as users_api
from homeport.api.envelope import EnvelopeResponse, success
from homeport.api.errors import install as install_error_handlers
from homeport.api.paths import TrailingSlashMiddleware
from homeport.clock import Clock, SystemClock
from homeport.config import Settings
from homeport.domain.errors import ConfigurationError
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.merchants.service import MerchantService
from homeport.domain.payments.service import PaymentService
from homeport.observability.metrics import HttpMetrics, MetricsMiddleware
from homeport.services import Services
from homeport.store import crypto
from homeport.store.database import create_engine
from homeport.store.migrate import upgrade
from homeport.store.tables import meta
from homeport.store.unit_of_work import SqlUnitOfWorkFactory

log = structlog.get_logger("homeport")


def load_encryption_key(settings: Settings) -> bytes:
    """The configured key, or the generated key file of the data directory."""
    if settings.encryption_key is not None:
        return crypto.decode_key(settings.encryption_key.reveal())
    return crypto.load_or_create_key_file(settings.encryption_key_file)


def build_services(
    settings: Settings, *, clock: Clock | None = None, engine: AsyncEngine | None = None
) -> Services:
    """Wire every collaborator from settings; nothing is started yet."""
    engine = engine or create_engine(settings.sqlalchemy_url, echo=settings.sql_echo)
    box = crypto.SecretBox(load_encryption_key(settings))
    clock = clock or SystemClock()
    uow = SqlUnitOfWorkFactory(engine, box)
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        box=box,
        merchants=MerchantService(uow, clock),
        payments=PaymentService(uow),
    )


async def check_encryption_key(services: Services) -> None:
    """Refuse to run with a key other than the one the database was first used with."""
    key = "encryption_key_check"
    sealed = services.box.seal(crypto.KEY_CHECK_PLAINTEXT, context=crypto.KEY_CHECK_CONTEXT)
    try:
        async with services.engine.begin() as connection:
            await connection.execute(insert(meta).values(key=key, value=sealed))
        return
    except IntegrityError:
        pass  # the database already has a check value (maybe written by a process racing us)
    async with services.engine.connect() as connection:
        stored = await connection.scalar(select(meta.c.value).where(meta.c.key == key))
    try:
        services.box.open(str(stored), context=crypto.KEY_CHECK_CONTEXT)
    except ConfigurationError:
        raise ConfigurationError(
            "this database was set up with a different encryption key; set "
            "HOMEPORT_ENCRYPTION_KEY to that key (every process sharing the database needs it)"
        ) from None


@dataclass(frozen=True)
class Startup:
    """What preparing the database did."""

    demo: CreatedMerchant | None


async def prepare(services: Services, *, create_demo: bool = True) -> Startup:
    """Migrate the schema, check the encryption key and create the demo merchant if empty."""
    await upgrade(services.engine)
    await check_encryption_key(services)
    demo = None
    settings = services.settings
    if create_demo and settings.demo_enabled:
        demo = await services.merchants.ensure_demo(
            settings.demo_imp_key,
            settings.demo_imp_secret.reveal() if settings.demo_imp_secret else None,
        )
    return Startup(demo=demo)


def create_app(services: Services, *, prepare_on_startup: bool = False) -> FastAPI:
    """The ASGI application: the i'mport API at the root, plus /health and /metrics."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if prepare_on_startup:
            await prepare(services)
        yield

    app = FastAPI(
        title="homeport",
        version=__version__,
        description="i'mport (PortOne v1) compatible payment gateway for NHN KCP",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.services = services
    metrics = HttpMetrics()
    install_error_handlers(app)
    app.include_router(users_api.router)
    app.include_router(payments_api.router)

    @app.get("/health", include_in_schema=False)
    async def health(request: Request) -> EnvelopeResponse:
        async with services.engine.connect() as connection:
            await connection.scalar(select(1))
        return success({"status": "ok", "version": __version__})

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        body, content_type = metrics.render()
        return PlainTextResponse(body, media_type=content_type)

    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(TrailingSlashMiddleware)
    return app
