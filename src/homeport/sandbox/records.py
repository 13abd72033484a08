"""Shapes of the ledger's records, in KCP's field names (values are strings, as on the wire,
except amounts and counters the sandbox computes with, which are ints).
"""

from __future__ import annotations

from typing import Any, TypedDict


class Trade(TypedDict, total=False):
    """A trade registration (``/std/tradeReg/register``), keyed by ``approvalKey``."""

    approvalKey: str
    traceNo: str
    site_cd: str
    ordr_idxx: str
    good_mny: int
    good_name: str
    pay_method: str  # CARD, BANK, VCNT, MOBX, TPNT, GIFT, AUTH
    Ret_URL: str
    escw_used: str
    registered_at: str  # YYYYMMDDHHMMSS
    fields: dict[str, str]  # everything else the merchant sent


class Auth(TypedDict, total=False):
    """A buyer's authentication in a window, keyed by the ``enc_data`` it produced.

    The window stores what the buyer chose; the approval call (``/gw/enc/v1/payment``) checks
    the merchant's ``ordr_mony``/``ordr_no``/``pay_type`` against it and turns it into a
    transaction, once.
    """

    enc_data: str
    enc_info: str
    tran_cd: str  # 00100000 payment, 00300001 batch-key issuance
    site_cd: str
    ordr_idxx: str
    good_mny: int
    good_name: str
    pay_type: str  # PACA, PABK, PAVC, PAMC, PAPT, PATK (AUTH for batch issuance)
    use_pay_method: str  # the 12-digit PC code of the method used
    escw_used: str  # Y/N
    selection: dict[str, Any]  # what the buyer picked: card_cd, quota, bank, vbank bank...
    scenario: str  # a scenario name from homeport.sandbox.scenarios, "" for normal
    created_at: str
    used_by_tno: str  # set when approved (an auth approves once)
    used_at: str  # when it was used up: approved, declined by the card, or made a batch key
    used_res_cd: str  # what that use answered (0000, or the decline's res_cd)


class Transaction(TypedDict, total=False):
    """An approved payment, keyed by ``tno`` (14 digits)."""

    tno: str
    site_cd: str
    ordr_idxx: str
    pay_type: str
    amount: int
    rem_mny: int  # what can still be cancelled
    status: str  # STSR approved, STPC partially cancelled, STSC fully cancelled
    app_time: str
    approval: dict[str, str]  # the approval response fields, replayed by inquiry
    cancels: list[dict[str, Any]]
    escw_yn: str
    batch_key: str
    vbank_account: str  # for PAVC: the issued account
    deposited: int  # for PAVC: a copy of the vbank record's ``deposited``, which is what the sandbox reads


class BatchKey(TypedDict, total=False):
    """A billing key (``batch_key``, 16 digits) bound to a group id."""

    batch_key: str
    site_cd: str
    group_id: str
    card_cd: str
    card_name: str
    card_mask_no: str
    card_bin_type_01: str
    card_bin_type_02: str
    scenario: str
    issued_at: str
    deleted_at: str


class VirtualAccount(TypedDict, total=False):
    """An issued virtual account awaiting deposits, keyed by ``account``."""

    account: str
    tno: str
    site_cd: str
    ordr_idxx: str
    bankcode: str  # BKxx
    bank_code: str  # 2-digit, as in notifications
    bankname: str
    depositor: str
    amount: int
    va_date: str
    deposited: int
    status: str  # waiting, deposited, cancelled, closed


class Notification(TypedDict, total=False):
    """A common notification (TX00...) and every attempt to deliver it, keyed by ``noti_id``."""

    noti_id: str
    tx_cd: str  # TX00 deposit
    site_cd: str
    tno: str
    account: str
    url: str  # the site's notify_url when it was made; empty: not sent
    charset: str  # euc-kr or utf-8
    fields: dict[str, str]  # the form fields as last sent (noti_cnt counts the tries)
    #: One entry per try: n, at (ISO time), status (HTTP or None), result (the reply's
    #: ``result`` value or None), error ("" when delivered), body (excerpt), duration_ms, ok.
    attempts: list[dict[str, Any]]
    delivered: bool
    created_at: str  # ISO time
    next_attempt_at: str  # ISO time of the next try; empty when none is planned
    note: str  # why nothing is (or will be) sent, when that is so
