"""``/banks`` and ``/cards``: standard code tables (iamport-v1 §4.9)."""

from __future__ import annotations

from fastapi import APIRouter

from homeport.api.deps import Authenticated
from homeport.api.envelope import EnvelopeResponse, success
from homeport.domain.codes import BANKS, CARDS
from homeport.domain.errors import NotFound

router = APIRouter()


def _listing(table: dict[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "name": name} for code, name in table.items()]


def _one(table: dict[str, str], code: str, what: str) -> dict[str, str]:
    if code not in table:
        raise NotFound(f"존재하지 않는 {what} 코드입니다: {code}")
    return {"code": code, "name": table[code]}


@router.get("/banks")
async def banks(_merchant: Authenticated) -> EnvelopeResponse:
    """Every standard bank code."""
    return success(_listing(BANKS))


@router.get("/banks/{bank_standard_code}")
async def bank(_merchant: Authenticated, bank_standard_code: str) -> EnvelopeResponse:
    """One bank by its standard code."""
    return success(_one(BANKS, bank_standard_code, "은행"))


@router.get("/cards")
async def cards(_merchant: Authenticated) -> EnvelopeResponse:
    """Every card company code."""
    return success(_listing(CARDS))


@router.get("/cards/{card_standard_code}")
async def card(_merchant: Authenticated, card_standard_code: str) -> EnvelopeResponse:
    """One card company by its code."""
    return success(_one(CARDS, card_standard_code, "카드사"))
