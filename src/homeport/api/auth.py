"""Finding the merchant behind a request's access token.

Accepted forms (iamport-v1 §2.2): ``Authorization: <token>`` (raw; most clients),
``Authorization: Bearer <token>`` (Node and PHP clients) and ``X-ImpTokenHeader: <token>``
(.NET client, old merchant code). When both headers are present ``Authorization`` wins, as the
i'mport maintainers decided.
"""

from __future__ import annotations

from fastapi import Request

from homeport.domain.errors import TokenInvalid
from homeport.domain.merchants.models import Merchant
from homeport.services import Services


def get_services(request: Request) -> Services:
    """The services ``create_app`` attached to the application."""
    services: Services = request.app.state.services
    return services


def token_from_headers(authorization: str | None, imp_token_header: str | None) -> str | None:
    """The access token a request carries, if any."""
    value = (authorization or "").strip()
    if value:
        scheme, _, rest = value.partition(" ")
        if scheme.lower() == "bearer" and rest.strip():
            return rest.strip()
        return value
    value = (imp_token_header or "").strip()
    return value or None


async def current_merchant(request: Request) -> Merchant:
    """FastAPI dependency: the authenticated merchant, or a 401 envelope."""
    token = token_from_headers(request.headers.get("authorization"), request.headers.get("x-imptokenheader"))
    if token is None:
        raise TokenInvalid
    return await get_services(request).merchants.authenticate(token)
