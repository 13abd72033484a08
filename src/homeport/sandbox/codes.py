"""Result codes the sandbox answers with (``res_cd``/``res_msg``, kcp.md §11.1).

KCP publishes no full list. Codes marked *known* are seen in KCP material; the rest are the
sandbox's own picks in KCP's style, marked *sandbox*, and documented so tests and the
connector can rely on them. The connector must still pass unknown codes through.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """A result code with KCP-style Korean and English messages."""

    res_cd: str
    res_msg: str
    res_en_msg: str
    known: bool = False


OK = Code("0000", "정상처리", "processing completed", known=True)
VBANK_OK = Code("V000", "정상처리", "processing completed", known=True)  # vbank issuance by API
USER_CANCELLED = Code("3001", "사용자가 결제를 취소하였습니다.", "user cancelled", known=True)
# The buyer failed authentication inside the window (wrong card password, app refused).
# KCP shows such failures in its window; the code it returns then is not public.
WINDOW_AUTH_FAILED = Code("9301", "카드사 인증에 실패하였습니다.", "authentication failed in the window")
AMOUNT_MISMATCH = Code("8059", "형식오류 : 결제금액 불일치", "amount mismatch", known=True)
INVALID_CARD_NUMBER = Code("8107", "형식오류 : 카드번호 오류", "invalid card number", known=True)
ALREADY_CANCELLED = Code("8133", "이미 취소된 거래입니다.", "already cancelled", known=True)
NO_GROUP_ID = Code("5209", "[배치빌] 존재하지않는(사용불가) GROUP_ID", "unusable group id", known=True)
# Sandbox picks (KCP's real codes for these are not public).
LIMIT_EXCEEDED = Code("8016", "한도초과 : 카드 사용한도를 초과하였습니다.", "limit exceeded")
STOLEN_CARD = Code("8041", "분실/도난 카드입니다.", "lost or stolen card")
EXPIRED_CARD = Code("8017", "유효기간 오류 : 카드 유효기간이 지났습니다.", "expired card")
CANCEL_EXCEEDS = Code("8730", "취소가능금액을 초과하였습니다.", "cancel amount exceeds the balance")
REM_MNY_MISMATCH = Code("8731", "취소가능잔액(rem_mny)이 일치하지 않습니다.", "rem_mny mismatch")
PARTIAL_NOT_ALLOWED = Code("8732", "부분취소가 불가능한 거래입니다.", "partial cancel not allowed")
NO_TRANSACTION = Code("9110", "해당 거래가 존재하지 않습니다.", "no such transaction")
BAD_CERT = Code("9101", "인증서 정보가 올바르지 않습니다.", "invalid kcp_cert_info")
BAD_SIGNATURE = Code("9102", "서명 데이터 검증에 실패하였습니다.", "kcp_sign_data verification failed")
UNKNOWN_SITE = Code("9103", "등록되지 않은 사이트코드입니다.", "unknown site_cd")
MISSING_FIELD = Code("9104", "필수 파라미터가 누락되었습니다.", "required field missing")
BAD_FIELD = Code("9105", "파라미터 형식이 올바르지 않습니다.", "malformed field")
INVALID_AUTH = Code(
    "9106", "인증 데이터(enc_data)가 유효하지 않거나 이미 사용되었습니다.", "invalid or used enc_data"
)
ORDER_MISMATCH = Code("9107", "주문번호(ordr_no)가 인증 정보와 일치하지 않습니다.", "order number mismatch")
PAY_TYPE_MISMATCH = Code("9108", "결제수단(pay_type)이 인증 정보와 일치하지 않습니다.", "pay_type mismatch")
NO_BATCH_KEY = Code("9109", "존재하지 않거나 삭제된 배치키입니다.", "unknown or deleted batch key")
ALREADY_DEPOSITED = Code(
    "8733",
    "입금된 가상계좌는 환불(STHD/STPD)로 취소하십시오.",
    "deposited virtual account: refund it instead",
)
NOT_DEPOSITED = Code(
    "8734", "입금되지 않은 가상계좌는 환불할 수 없습니다.", "virtual account not deposited: nothing to refund"
)
NOT_ESCROW = Code("8735", "에스크로 결제가 아닌 거래입니다.", "not an escrow payment")
DELIVERY_REGISTERED = Code(
    "8736", "이미 배송이 등록된 에스크로 거래입니다.", "escrow delivery already registered"
)
NO_VBANK_BANK = Code("8737", "가상계좌를 발급할 수 없는 은행입니다.", "the bank issues no virtual accounts")
