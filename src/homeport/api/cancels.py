"""``POST /payments/cancel``: full and partial cancels and refunds (iamport-v1 §4.1).

Failed cancels are HTTP 200 with a non-zero code, as the contract warns merchants to expect:
unknown payment (code 1, ``취소할 결제건이 존재하지 않습니다.``), already fully cancelled (code 1,
``이미 전액취소된 주문입니다.``), over the balance or checksum mismatch (code 1), the PG's refusal
(code -1 with its reason).
"""

from __future__ import annotations

from fastapi import APIRouter

from homeport.api.body import Body, amount_field, bool_field, text_field
from homeport.api.deps import Authenticated, BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, success
from homeport.api.schemas import payment_to_wire
from homeport.domain.errors import InvalidRequest
from homeport.domain.payments.cancels import CancelOrder
from homeport.pg.base import RefundAccount

router = APIRouter()


def _refund(body: Body) -> RefundAccount | None:
    """The buyer's refund account (virtual-account refunds); all three fields or none."""
    holder = text_field(body, "refund_holder", limit=16)
    bank = text_field(body, "refund_bank", limit=4)
    account = text_field(body, "refund_account", limit=20)
    if not (holder or bank or account):
        return None
    if not (holder and bank and account):
        raise InvalidRequest(
            "환불계좌 정보는 refund_holder, refund_bank, refund_account를 모두 보내야 합니다."
        )
    account_digits = account.replace("-", "")
    if not account_digits.isdigit():
        raise InvalidRequest("refund_account는 숫자(와 -)로 된 계좌번호여야 합니다.")
    return RefundAccount(
        bank_code=bank, account=account_digits, holder=holder, tel=text_field(body, "refund_tel", limit=20)
    )


def cancel_order(body: Body) -> CancelOrder:
    """The cancel request; ``checksum`` null skips the balance check."""
    return CancelOrder(
        imp_uid=text_field(body, "imp_uid", limit=32),
        merchant_uid=text_field(body, "merchant_uid", limit=40),
        amount=amount_field(body, "amount"),
        tax_free=amount_field(body, "tax_free"),
        checksum=amount_field(body, "checksum"),
        reason=text_field(body, "reason", limit=256),
        refund=_refund(body),
        # §6: an API cancel makes a webhook only when asked; absent means false.
        enable_webhook=bool(bool_field(body, "enable_webhook")),
    )


@router.post("/payments/cancel")
async def cancel_payment(merchant: Authenticated, services: ServicesDep, body: BodyDep) -> EnvelopeResponse:
    """Cancel all (``amount`` absent, null or 0) or part of a paid payment."""
    amount_field(body, "vat_amount")  # checked; KCP takes no VAT split for a normal site
    payment = await services.cancels.cancel(merchant.id, cancel_order(body))
    return success(payment_to_wire(payment))
