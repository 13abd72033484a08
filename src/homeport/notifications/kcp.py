"""``POST /kcp/notifications``: KCP's common notification (공통 통보, kcp.md §9).

The URL registered in KCP's merchant admin for every site (§9.1); the embedded sandbox
notifies it too (docs/sandbox.md). What happens, in order:

1. only the configured sources (``HOMEPORT_KCP_NOTIFY_ALLOW``; by default KCP's notification
   servers, §1, and loopback while the sandbox runs) are heard: KCP signs nothing (§9.1), so
   the source address is the only proof of origin. Others get 403 and a warning;
2. the body is read by the KCP connector's code (form-urlencoded, EUC-KR or UTF-8);
3. the notification service records it and applies it in one transaction;
4. only then the reply is the exact body KCP expects, ``result`` ``0000`` (§9.2), also for a
   repeat. Anything not processed durably (unreadable, a database error) answers ``9999``
   with a 4xx/5xx status, so KCP sends it again.
"""

from __future__ import annotations

import ipaddress

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response

from homeport.api.deps import ServicesDep
from homeport.config import IpNetwork
from homeport.domain.errors import InvalidRequest
from homeport.pg.kcp.connector import read_common_notification
from homeport.pg.kcp.wire import NOTIFICATION_ACK_TYPE, NOTIFICATION_RETRY

router = APIRouter(include_in_schema=False)
log = structlog.get_logger("homeport.notifications")

PG_PROVIDER = "kcp"
KCP_NOTIFICATION_PATH = "/kcp/notifications"
#: A notification is a few hundred bytes of form fields; anything far larger is not one.
MAX_BODY_BYTES = 64_000


def allowed(source: str, networks: tuple[IpNetwork, ...]) -> bool:
    """Whether ``source`` (an IP address) is in one of ``networks``."""
    try:
        address = ipaddress.ip_address(source)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:210.122.176.144 from a dual-stack socket
    return any(address in network for network in networks)


def _retry(status: int) -> Response:
    """Not processed: KCP resends on any result but 0000 (kcp.md §9.2)."""
    return Response(NOTIFICATION_RETRY, status_code=status, media_type=NOTIFICATION_ACK_TYPE)


@router.post(KCP_NOTIFICATION_PATH)
async def kcp_notification(request: Request, services: ServicesDep) -> Response:
    """Record and apply one KCP common notification; ``result=0000`` once it is stored."""
    source = request.client.host if request.client else ""
    if not allowed(source, services.settings.kcp_notify_networks):
        log.warning("notification.source_refused", source=source, hint="HOMEPORT_KCP_NOTIFY_ALLOW")
        return Response("forbidden", status_code=403, media_type="text/plain")
    body = await request.body()
    try:
        if len(body) > MAX_BODY_BYTES:
            raise InvalidRequest(f"the body has {len(body)} bytes, more than {MAX_BODY_BYTES}")
        notification = read_common_notification(body, request.headers.get("content-type", ""))
    except InvalidRequest as exc:
        log.warning("notification.unreadable", source=source, reason=exc.message)
        return _retry(400)
    try:
        received = await services.notifications.receive(PG_PROVIDER, notification)
    except Exception:  # whatever failed, nothing was stored: KCP must resend
        log.exception(
            "notification.failed",
            site=notification.site,
            notification_id=notification.notification_id,
        )
        return _retry(503)
    log.info(
        "notification.received",
        site=notification.site,
        notification_id=notification.notification_id,
        kind=notification.raw_kind,
        outcome=received.outcome.value if received.outcome else "repeat",
        imp_uid=received.imp_uid,
    )
    return Response(
        notification.acknowledgement, status_code=200, media_type=notification.acknowledgement_content_type
    )
