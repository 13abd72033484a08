"""Path normalisation before routing.

The PHP client posts to ``/payments/cancel/`` and ``/subscribe/payments/again/``; go-iamport
and node-iamporter call ``/payments/find/{merchant_uid}/`` with an empty status segment.
Rather than redirecting (a 307 on a POST breaks clients that do not follow it), a trailing
slash is simply dropped, so ``/x/`` is ``/x`` and an empty last segment is absent.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class TrailingSlashMiddleware:
    """Strip trailing slashes from every HTTP path except ``/``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope)
                scope["path"] = path.rstrip("/") or "/"
                raw = scope.get("raw_path")
                if isinstance(raw, bytes):
                    scope["raw_path"] = raw.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)
