"""One tree of errors for everything a caller can get wrong or that can go wrong.

::

    GatewayError
    ├── ConfigurationError          settings or files an operator supplied are unusable
    ├── InvalidRequest              the caller sent something malformed or out of range
    │   ├── InvalidAmount           money that is not a whole number of won
    │   ├── UnsupportedPaymentStatus  a status i'mport does not know
    │   ├── PageOutOfRange          a page beyond the last one
    │   └── ScheduleNotChangeable   a schedule whose status forbids the change
    ├── AuthenticationFailed        wrong REST API key/secret
    │   └── TokenInvalid            access token missing, unknown or expired
    ├── NotFound                    the thing does not exist, or belongs to another merchant
    │   ├── PaymentNotFound
    │   ├── PrepareNotFound
    │   ├── MerchantNotFound
    │   ├── CustomerNotFound    no billing key under a customer_uid (200, code 1 on the wire)
    │   ├── UnregisteredCustomer    ``again`` with a customer_uid that has no key (200, code 1)
    │   ├── CancelTargetNotFound    ``/payments/cancel`` of an unknown payment (200, code 1)
    │   ├── ScheduleNotFound
    │   ├── ScheduleCustomerNotFound  scheduling without a key or a card (200, code 1)
    │   └── NothingToUnschedule       no scheduled schedule matched (200, code 1)
    ├── AmountMismatch              the amount differs from the pre-registered (prepared) one
    ├── Conflict                    the request contradicts stored state
    │   ├── DuplicateMerchant
    │   ├── DuplicatePayment        a merchant_uid already paid, in progress or in doubt
    │   └── DuplicateSchedule   a merchant_uid that already names a schedule (200, code 1)
    ├── CancelRefused               a cancel homeport refuses before asking the PG (200, code 1)
    ├── BillingNotConfigured        the merchant has no channel able to hold billing keys
    ├── PgRefused                   the PG declined a request the API must report as failed
    └── PgError                     talking to the PG (KCP) went wrong; declines are NOT errors
        ├── PgUnavailable           provably not processed by the PG: safe to retry
        └── PgOutcomeUnknown        sent, but the answer was lost or unreadable: never retry
                                    blindly; resolve by inquiry or cancel
    VirtualAccountRefused           ``/vbanks/{imp_uid}`` on a payment that is not an unpaid
                                    virtual account, or a change KCP cannot make (400)
    EscrowRefused                   ``/escrows/logis`` on a payment without escrow, a delivery
                                    already (or not yet) registered, a change KCP cannot make (409)

Each wire surface maps these classes to its own shape in exactly one place
(``homeport.api.errors`` for the i'mport envelope). The default message of each class is
the contract's own text where the contract has one.
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base of every error homeport raises on purpose."""

    default_message = "요청을 처리할 수 없습니다."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ConfigurationError(GatewayError):
    """Settings, certificates or keys an operator supplied are unusable."""

    default_message = "homeport is not configured correctly."


class InvalidRequest(GatewayError):
    """The caller sent a malformed, missing or out-of-range parameter."""

    default_message = "요청 파라메터가 올바르지 않습니다."


class InvalidAmount(InvalidRequest):
    """An amount that is not a whole, non-negative number of won."""

    default_message = "amount는 0 이상의 정수(원 단위)여야 합니다."


class UnsupportedPaymentStatus(InvalidRequest):
    """A payment status outside i'mport's vocabulary (exact text from the contract)."""

    default_message = "지원되지 않는 상태값입니다."


class PageOutOfRange(InvalidRequest):
    """A page number past the last page of a listing."""

    default_message = "요청하신 페이지가 존재하지 않습니다."


class AuthenticationFailed(GatewayError):
    """The REST API key and secret do not match a merchant."""

    default_message = "imp_key 또는 imp_secret이 올바르지 않습니다. (invalid REST API key or secret)"


class TokenInvalid(AuthenticationFailed):
    """The access token is missing, unknown or expired."""

    default_message = (
        "유효한 access_token이 없습니다. POST /users/getToken으로 발급받은 토큰을 "
        "Authorization 헤더에 담아 주세요. (missing, unknown or expired access token)"
    )


class NotFound(GatewayError):
    """The requested resource does not exist for this merchant."""

    default_message = "요청하신 정보를 찾을 수 없습니다."


class PaymentNotFound(NotFound):
    """No payment with this id belongs to the merchant (exact text from the contract)."""

    default_message = "존재하지 않는 결제정보입니다."


class PrepareNotFound(NotFound):
    """No amount was pre-registered for this merchant_uid (exact text from the contract)."""

    default_message = "사전등록된 결제정보가 존재하지 않습니다."


class MerchantNotFound(NotFound):
    """No merchant with this code."""

    default_message = "존재하지 않는 가맹점입니다."


class CustomerNotFound(NotFound):
    """No billing key is registered under this customer_uid (exact text from the contract)."""

    def __init__(self, customer_uid: str) -> None:
        super().__init__(f"요청하신 customer_uid({customer_uid})로 등록된 정보를 찾을 수 없습니다.")
        self.customer_uid = customer_uid


class UnregisteredCustomer(NotFound):
    """A charge with a customer_uid that has no billing key (exact text from the contract, §8)."""

    default_message = "등록되지 않은 구매자입니다."


class CancelTargetNotFound(NotFound):
    """A cancel of a payment the merchant does not have (exact text from the contract, §8)."""

    default_message = "취소할 결제건이 존재하지 않습니다."


class AmountMismatch(GatewayError):
    """The requested amount differs from the amount pre-registered for the merchant_uid (§4.2)."""

    default_message = "사전등록된 결제금액과 결제요청금액이 일치하지 않습니다."


class Conflict(GatewayError):
    """The request contradicts what is stored."""

    default_message = "요청이 현재 상태와 충돌합니다."


class DuplicateMerchant(Conflict):
    """A merchant code or REST API key that is already taken."""

    default_message = "이미 사용 중인 가맹점 코드 또는 REST API 키입니다."


class DuplicatePayment(Conflict):
    """A merchant_uid that already has a payment which is paid, cancelled, in progress or in doubt.

    merchant_uid is unique per merchant (DESIGN invariant); only failed payments may share it,
    so a merchant may retry a declined order under the same merchant_uid.
    """

    def __init__(self, merchant_uid: str) -> None:
        super().__init__(
            f"이미 결제되었거나 처리 중인 주문번호(merchant_uid)입니다: {merchant_uid} "
            "(duplicate merchant_uid; a new charge needs a new merchant_uid)"
        )
        self.merchant_uid = merchant_uid


class CancelRefused(GatewayError):
    """A cancel homeport refuses without asking the PG: nothing to cancel, over the balance,
    checksum mismatch, another cancel in flight. Nothing changes; i'mport answers HTTP 200
    with a non-zero code for failed cancels (§3, DEV cancel guide)."""

    default_message = "결제취소에 실패하였습니다."


class BillingNotConfigured(GatewayError):
    """The merchant has no PG channel with a billing group (KCP batch group id)."""

    default_message = "비인증결제모듈 사용정보를 찾을 수 없습니다."


class PgRefused(GatewayError):
    """The PG said no to something the caller asked (a card refused at billing-key issuance).

    Not a failure of homeport or of the PG: i'mport reports it as HTTP 200 with code -1.
    """

    default_message = "결제대행사(PG)가 요청을 거절하였습니다."


class PgError(GatewayError):
    """The PG could not be talked to properly. A PG decline is a returned value, not this."""

    default_message = "결제대행사(PG)와 통신하지 못했습니다."


class PgUnavailable(PgError):
    """The request provably did not reach the PG (connection refused, DNS, TLS): retry is safe."""

    default_message = "결제대행사(PG)에 연결할 수 없습니다. 잠시 후 다시 시도해주세요."


class PgOutcomeUnknown(PgError):
    """The request may have been processed: a timeout after sending, or an unreadable reply.

    Callers must not charge again; the outcome is settled by an inquiry or a cancel.
    """

    default_message = (
        "결제대행사(PG)의 응답을 확인하지 못했습니다. 결제 결과를 확인 중입니다. "
        "(outcome unknown; do not retry the charge)"
    )


class ScheduleNotFound(NotFound):
    """No schedule with this merchant_uid belongs to the merchant."""

    default_message = "예약결제 정보가 존재하지 않습니다."

    def __init__(self, merchant_uid: str) -> None:
        super().__init__(f"merchant_uid({merchant_uid})로 예약된 결제가 존재하지 않습니다.")
        self.merchant_uid = merchant_uid


class ScheduleCustomerNotFound(NotFound):
    """Scheduling for a customer_uid with no billing key and no card to issue one (contract text)."""

    default_message = "등록된 고객정보가 없습니다."


class NothingToUnschedule(NotFound):
    """An unschedule request that matched no schedule still waiting (contract text)."""

    default_message = "취소할 예약결제 기록이 존재하지 않습니다."


class DuplicateSchedule(Conflict):
    """A merchant_uid that already names one of the merchant's schedules (whatever its status)."""

    default_message = "이미 예약된 merchant_uid입니다."


class ScheduleNotChangeable(InvalidRequest):
    """A change the schedule's status does not allow (e.g. moving an executed schedule)."""

    default_message = "예약결제의 상태가 변경을 허용하지 않습니다."


class VirtualAccountRefused(GatewayError):
    """A change to a virtual account homeport refuses before asking the PG: the payment is not a
    virtual account, is no longer awaiting deposit, or the PG cannot make the change (§4.6:
    400 "not vbank / not ready")."""

    default_message = "가상계좌 결제건을 변경할 수 없습니다."


class EscrowRefused(GatewayError):
    """An escrow delivery request homeport refuses: the payment is not a paid escrow payment,
    a delivery is already registered (or none is), or the PG cannot change one (§4.5: 409)."""

    default_message = "에스크로 배송정보를 처리할 수 없습니다."
