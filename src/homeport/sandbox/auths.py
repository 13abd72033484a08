"""Buyer authentications: what a window hands back as ``enc_data``/``enc_info``.

KCP's ``enc_data``/``enc_info`` are opaque to the merchant, who passes them unchanged to the
approval call (kcp.md §10.1). The sandbox makes them random tokens in the same alphabet
(base64-like with ``.``/``-`` and a trailing ``__``) and keeps what the buyer chose under
them. The approval endpoint (``/gw/enc/v1/payment``) resolves the token, checks the
merchant's ``ordr_mony``/``ordr_no``/``pay_type`` against it, and uses it once.

``selection`` keys by ``pay_type``:

- ``PACA`` card: ``card_cd`` (e.g. ``CCBC``), ``card_name``, ``card_no`` (masked
  ``NNNNNN******NNNN``), ``quota`` (``00`` lump sum), ``noinf`` (``Y`` interest-free by
  merchant), ``partcanc_yn``, ``card_bin_type_01`` (0 personal / 1 corporate),
  ``card_bin_type_02`` (0 credit / 1 check), ``card_pay_method`` and ``easy_pay`` (easy-pay
  provider: kakaopay, naverpay, payco, samsung, applepay, lpay, or empty), ``app_card``
  (``Y`` card app).
- ``PABK`` transfer: ``bank_code`` (``BKxx``), ``bank_name``.
- ``PAVC`` virtual account: ``bankcode`` (``BKxx``), ``bankname``, ``va_date``
  (YYYYMMDDHHMMSS deadline), ``depositor``.
- ``PAMC`` phone: ``commid`` (SKT/KTF/LGT, MVNO variants), ``mobile_no``.
- ``PAPT`` point: ``pnt_issue`` (``SCSK`` OK캐쉬백, ``SCWB`` 복지포인트).
- ``PATK`` gift certificate: ``tk_van_code`` (``SCCL`` 문화상품권, ``SCBL`` 도서상품권,
  ``SCHM`` 해피머니, ``SCSM`` 스마트문화상품권), ``shop_user_id``.
- ``AUTH`` batch-key issuance (``tran_cd`` ``00300001``): ``group_id``, ``card_cd``,
  ``card_name``, ``card_mask_no``, ``card_bin_type_01``, ``card_bin_type_02``.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from homeport.sandbox.clock import kcp_time
from homeport.sandbox.context import Sandbox
from homeport.sandbox.records import Auth

TRAN_PAYMENT = "00100000"
TRAN_BATCH_KEY = "00300001"

_ALPHABET = string.ascii_letters + string.digits + ".-"


def _opaque(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length)) + "__"


def record_auth(
    sandbox: Sandbox,
    *,
    site_cd: str,
    ordr_idxx: str,
    good_mny: int,
    pay_type: str,
    use_pay_method: str,
    selection: dict[str, Any],
    good_name: str = "",
    tran_cd: str = TRAN_PAYMENT,
    scenario: str = "normal",
    escw_used: str = "N",
) -> Auth:
    """Store a successful window authentication and return it with its new tokens."""
    auth: Auth = {
        "enc_data": _opaque(256),
        "enc_info": _opaque(64),
        "tran_cd": tran_cd,
        "site_cd": site_cd,
        "ordr_idxx": ordr_idxx,
        "good_mny": good_mny,
        "good_name": good_name,
        "pay_type": pay_type,
        "use_pay_method": use_pay_method,
        "escw_used": escw_used,
        "selection": selection,
        "scenario": scenario,
        "created_at": kcp_time(sandbox.clock.now()),
        "used_by_tno": "",
    }
    sandbox.ledger.put("auth", auth["enc_data"], dict(auth))
    return auth


def find_auth(sandbox: Sandbox, enc_data: str, enc_info: str) -> Auth | None:
    """The authentication behind a token pair, if both tokens match."""
    record = sandbox.ledger.get("auth", enc_data)
    if record is None or record.get("enc_info") != enc_info:
        return None
    auth: Auth = record  # type: ignore[assignment]  # the ledger stores Auth-shaped JSON
    return auth
