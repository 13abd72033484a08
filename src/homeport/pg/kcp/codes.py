"""KCP's ``res_cd`` values → homeport's stable decline reasons, with messages and hints.

KCP publishes no full list (kcp.md §11.1, §16.2). Rows of origin ``kcp`` are codes seen in
KCP material; rows of origin ``sandbox`` are the codes homeport's KCP emulator answers with
(docs/sandbox.md, "Result codes") where KCP's real code is not public. Real KCP may use a
sandbox code for something else: the :class:`Declined` always carries KCP's own code and
message (``pg_code``/``pg_message``), so a person can tell. Unknown codes pass through as
``pg_declined`` with KCP's message.

Reasons are snake_case and never change once published: callers and merchants branch on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from homeport.pg.base import Declined

Origin = Literal["kcp", "sandbox", "homeport"]


@dataclass(frozen=True)
class KcpCode:
    """One ``res_cd`` and what homeport makes of it."""

    res_cd: str
    reason: str
    message: str  # Korean, for the buyer or the merchant's operator
    message_en: str
    hint: str  # what the merchant can do about it
    origin: Origin


SUCCESS_REASON = "ok"
UNKNOWN_REASON = "pg_declined"

# fmt: off
_ROWS: tuple[KcpCode, ...] = (
    # -- seen in KCP material (kcp.md §11.1) --
    KcpCode("0000", SUCCESS_REASON, "정상처리", "processing completed", "", "kcp"),
    KcpCode("V000", SUCCESS_REASON, "정상처리 (가상계좌 발급)", "virtual account issued", "", "kcp"),
    KcpCode("3001", "user_cancelled", "사용자가 결제를 취소하였습니다.", "the buyer cancelled the payment window",
            "Nothing to do: the buyer closed the window; they may try again.", "kcp"),
    KcpCode("3014", "site_not_registered", "사이트코드 또는 도메인 등록 정보가 일치하지 않습니다.",
            "site code / domain registration mismatch",
            "Check the site code and register the shop's domain with KCP.", "kcp"),
    KcpCode("3017", "popup_blocked", "카드 인증 팝업이 차단되었습니다.", "the card authentication pop-up was blocked",
            "Ask the buyer to allow pop-ups for the payment window.", "kcp"),
    KcpCode("5209", "billing_group_unusable", "존재하지 않거나 사용할 수 없는 배치 그룹아이디입니다.",
            "the billing group id does not exist or cannot be used",
            "Check the channel's batch group id (site code + 7 digits) in KCP's merchant admin.", "kcp"),
    KcpCode("8012", "cancel_ip_not_registered", "취소 요청 서버 IP가 등록되지 않았습니다.",
            "cancel refused: the server IP is not registered with KCP",
            "Register homeport's outbound IP in KCP's partner admin (취소서버 IP설정).", "kcp"),
    KcpCode("8059", "amount_mismatch", "결제금액이 인증된 금액과 일치하지 않습니다.",
            "the amount differs from the amount the buyer authenticated",
            "The order amount was changed after the window opened; start a new payment.", "kcp"),
    KcpCode("8107", "invalid_card_number", "카드번호가 올바르지 않습니다.", "invalid card number",
            "Ask the buyer to check the card number.", "kcp"),
    KcpCode("8133", "already_cancelled", "이미 취소된 거래입니다.", "the transaction is already cancelled",
            "Nothing to cancel: look the payment up to see its state.", "kcp"),
    KcpCode("9502", "pg_module_error", "결제 모듈 호출 중 오류가 발생했습니다.", "PG module call error",
            "Retry later; contact KCP if it persists.", "kcp"),
    KcpCode("S032", "inquiry_not_permitted", "거래조회 접근 권한이 없습니다.", "no access to transaction inquiry",
            "Ask KCP to enable transaction inquiry for this site.", "kcp"),
    # -- the sandbox's codes (docs/sandbox.md), KCP's real ones are not public --
    KcpCode("8016", "card_limit_exceeded", "카드 사용한도를 초과하였습니다.", "card limit exceeded",
            "Ask the buyer to use another card or a smaller amount.", "sandbox"),
    KcpCode("8041", "card_lost_or_stolen", "분실 또는 도난 신고된 카드입니다.", "lost or stolen card",
            "Ask the buyer to use another card.", "sandbox"),
    KcpCode("8017", "card_expired", "카드 유효기간이 지났습니다.", "expired card",
            "Ask the buyer to use a valid card.", "sandbox"),
    KcpCode("8730", "cancel_exceeds_balance", "취소 금액이 취소 가능 잔액을 초과합니다.",
            "the cancel amount exceeds the cancellable balance",
            "Cancel at most the remaining balance.", "sandbox"),
    KcpCode("8731", "cancel_balance_mismatch", "취소 가능 잔액이 KCP와 일치하지 않습니다.",
            "the cancellable balance does not match KCP's",
            "Look the payment up (inquiry) and reconcile its cancelled amount.", "sandbox"),
    KcpCode("8732", "partial_cancel_not_allowed", "부분취소가 불가능한 거래입니다.",
            "this payment cannot be partially cancelled", "Cancel the whole payment instead.", "sandbox"),
    KcpCode("8733", "vbank_refund_required", "입금된 가상계좌는 환불로 취소해야 합니다.",
            "a deposited virtual account must be refunded",
            "Send the buyer's refund account (refund_bank, refund_account, refund_holder).", "sandbox"),
    KcpCode("8734", "vbank_not_deposited", "입금되지 않은 가상계좌는 환불할 수 없습니다.",
            "the virtual account has no deposit to refund", "Cancel it without a refund account.", "sandbox"),
    KcpCode("9101", "invalid_certificate", "KCP 인증서 정보가 올바르지 않습니다.", "invalid kcp_cert_info",
            "Check the channel's certificate file: it must be the one issued for this site code.", "sandbox"),
    KcpCode("9102", "invalid_signature", "서명 데이터 검증에 실패하였습니다.", "kcp_sign_data verification failed",
            "The private key does not match the certificate; check the channel's key file.", "sandbox"),
    KcpCode("9103", "unknown_site", "등록되지 않은 사이트코드입니다.", "unknown site code",
            "Check the channel's site code.", "sandbox"),
    KcpCode("9104", "missing_field", "필수 파라미터가 누락되었습니다.", "a required field is missing",
            "A homeport bug or an incomplete request; see pg_message for the field.", "sandbox"),
    KcpCode("9105", "malformed_field", "파라미터 형식이 올바르지 않습니다.", "a field is malformed",
            "See pg_message for the field and fix the request.", "sandbox"),
    KcpCode("9106", "invalid_authentication", "결제 인증 정보가 유효하지 않거나 이미 사용되었습니다.",
            "the window's authentication is invalid or was used already",
            "Start a new payment window.", "sandbox"),
    KcpCode("9107", "order_mismatch", "주문번호가 인증 정보와 일치하지 않습니다.",
            "the order number differs from the authenticated one", "Start a new payment.", "sandbox"),
    KcpCode("9108", "pay_method_mismatch", "결제수단이 인증 정보와 일치하지 않습니다.",
            "the payment method differs from the authenticated one", "Start a new payment.", "sandbox"),
    KcpCode("9109", "billing_key_not_found", "존재하지 않거나 삭제된 빌링키입니다.",
            "unknown or deleted billing key", "Issue a new billing key for this customer.", "sandbox"),
    KcpCode("9110", "transaction_not_found", "해당 거래가 존재하지 않습니다.", "no such transaction",
            "Check the payment's pg_tid.", "sandbox"),
    KcpCode("9301", "authentication_failed", "카드사 인증에 실패하였습니다.",
            "the buyer failed authentication in the window", "The buyer may try again.", "sandbox"),
    KcpCode("8735", "not_escrow_payment", "에스크로 결제가 아닌 거래입니다.",
            "the payment was not made with escrow",
            "Register deliveries only for payments made with escrow.", "sandbox"),
    KcpCode("8736", "escrow_delivery_already_registered", "이미 배송이 등록된 에스크로 거래입니다.",
            "a delivery is already registered for this escrow payment",
            "KCP documents no way to change a registered delivery; look the delivery up instead.", "sandbox"),
    KcpCode("8737", "vbank_bank_unavailable", "가상계좌를 발급할 수 없는 은행입니다.",
            "the bank issues no virtual accounts",
            "Choose a bank that issues KCP virtual accounts (e.g. 004 국민, 020 우리, 088 신한).", "sandbox"),
)
# fmt: on

CODES: dict[str, KcpCode] = {row.res_cd: row for row in _ROWS}

#: Declines homeport decides itself, before or instead of asking KCP (``pg_code`` "").
_LOCAL: dict[str, tuple[str, str, str]] = {
    "invalid_request": ("결제 요청이 올바르지 않습니다.", "invalid payment request", "Fix the request."),
    "invalid_card_expiry": (
        "카드 유효기간 형식이 올바르지 않습니다.",
        "invalid card expiry (YYYY-MM)",
        "Send the expiry as YYYY-MM.",
    ),
    "unsupported_pay_method": (
        "지원하지 않는 결제수단입니다.",
        "payment method not supported by KCP",
        "Use one of KCP's payment methods.",
    ),
    "billing_group_missing": (
        "배치 그룹아이디가 설정되지 않았습니다.",
        "no billing group id configured",
        "Set the channel's KCP batch group id.",
    ),
    "cancel_exceeds_balance": (
        "취소 금액이 취소 가능 잔액을 초과합니다.",
        "the cancel amount exceeds the cancellable balance",
        "Cancel at most the remaining balance.",
    ),
    "refund_account_required": (
        "가상계좌 환불에는 환불 계좌 정보가 필요합니다.",
        "a virtual-account refund needs the buyer's refund account",
        "Send refund_bank, refund_account and refund_holder.",
    ),
    "invalid_refund_bank": (
        "환불 은행 코드가 올바르지 않습니다.",
        "unknown refund bank code",
        "Use a 3-digit bank code KCP refunds to.",
    ),
    "invalid_window_result": (
        "결제창 결과가 이 요청과 맞지 않습니다.",
        "the window result does not fit this request",
        "Start a new payment window.",
    ),
    "invalid_vbank_bank": (
        "가상계좌 은행 코드가 올바르지 않습니다.",
        "unknown virtual-account bank code",
        "Send a 3-digit bank code (vbank_code), e.g. 004.",
    ),
    "escrow_not_supported": (
        "API로 발급하는 가상계좌에는 에스크로를 적용할 수 없습니다.",
        "KCP documents no escrow for virtual accounts issued by API",
        "Issue an escrow virtual account through the payment window instead.",
    ),
}


def declined(res_cd: str, res_msg: str = "", res_en_msg: str = "") -> Declined:
    """The :class:`Declined` for a non-success answer; unknown codes pass through."""
    row = CODES.get(res_cd)
    if row is None or row.reason == SUCCESS_REASON:
        return Declined(
            reason=UNKNOWN_REASON,
            message=res_msg or "결제대행사(KCP)가 요청을 거절했습니다.",
            message_en=res_en_msg or f"declined by KCP (res_cd {res_cd or 'missing'})",
            hint="See pg_code and pg_message; KCP's code list is not public.",
            pg_code=res_cd,
            pg_message=res_msg,
        )
    return Declined(
        reason=row.reason,
        message=row.message,
        message_en=row.message_en,
        hint=row.hint,
        pg_code=res_cd,
        pg_message=res_msg or row.message,
    )


def local_decline(reason: str, detail: str = "") -> Declined:
    """A decline homeport decides without KCP (``pg_code`` empty)."""
    message, message_en, hint = _LOCAL[reason]
    return Declined(
        reason=reason,
        message=message,
        message_en=f"{message_en}: {detail}" if detail else message_en,
        hint=hint,
        pg_code="",
        pg_message="",
    )
