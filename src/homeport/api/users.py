"""``/users``: access tokens."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import ValidationError

from homeport.api.deps import BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, success
from homeport.api.schemas import GetTokenRequest, token_to_wire
from homeport.domain.errors import InvalidRequest

router = APIRouter()

#: The contract's exact text when either credential is missing (seen by node-iamporter).
MISSING_CREDENTIALS = "imp_key, imp_secret 파라메터가 누락되었습니다."


@router.post("/users/getToken")
async def get_token(services: ServicesDep, body: BodyDep) -> EnvelopeResponse:
    """Issue, reuse or extend an access token for a REST API key and secret."""
    if not body.data.get("imp_key") or not body.data.get("imp_secret"):
        raise InvalidRequest(MISSING_CREDENTIALS)
    try:
        credentials = GetTokenRequest.model_validate(body.data)
    except ValidationError:
        raise InvalidRequest(
            "imp_key와 imp_secret은 문자열이어야 합니다. (imp_key and imp_secret must be strings)"
        ) from None
    token = await services.merchants.issue_token(credentials.imp_key, credentials.imp_secret)
    return success(token_to_wire(token))
