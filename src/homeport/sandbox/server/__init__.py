"""KCP's server API, emulated (kcp.md §0-7): what homeport's connector talks to.

- ``POST /std/tradeReg/register``: mobile trade registration; ``approvalKey``, ``traceNo``,
  ``PayUrl``; answers ``Code``/``Message`` (0000). See :mod:`.register`.
- ``POST /gw/enc/v1/payment``: approval of a window authentication (``tran_cd`` 00100000)
  or batch-key issuance (00300001). See :mod:`.approval`.
- ``POST /gw/hub/v1/payment``: batch-key payment (``card_tx_type`` 11511000), key-in
  payment (11121000), key-in batch-key issuance (12100000), batch-key delete
  (``pay_method=BATCH``, ``tx_type=10005010``), virtual account by API (``pay_method=VCNT``,
  ``va_txtype=41100000``, success ``V000``). See :mod:`.hub`.
- ``POST /gw/mod/v1/cancel``: ``STSC`` full cancel, ``STPC`` partial cancel, ``STHD``/``STPD``
  virtual-account refund, ``STE1`` escrow delivery. See :mod:`.cancel`.
- ``POST /std/inquery`` (KCP's spelling): transaction inquiry. See :mod:`.inquiry`.

Every request is a JSON object of strings; every answer is HTTP 200 JSON in UTF-8 with
``res_cd``/``res_msg``/``res_en_msg`` (registration: ``Code``/``Message``), errors included
(codes in :mod:`homeport.sandbox.codes`). Every endpoint checks the credentials first
(kcp.md §3, §14.1): ``site_cd`` configured (else UNKNOWN_SITE), ``kcp_cert_info`` equal to the
site's certificate with CR/LF removed (else BAD_CERT); cancel and inquiry also verify
``kcp_sign_data`` with the public key of that certificate (else BAD_SIGNATURE). A missing
required field answers MISSING_FIELD naming it; a body that is not a JSON object of strings,
or a value the sandbox cannot read, answers BAD_FIELD naming what it could not read
(:mod:`.requests`). Injected faults and scenarios: :mod:`homeport.sandbox.faults` and
``scenarios``. What the calls store: :mod:`.transactions` and :mod:`.batch_keys`.

Choices where kcp.md is silent (each marked in the code):

- a decline caused by the buyer's card (the window auth's stored scenario) uses the auth
  up, as KCP's one-time ``enc_data`` is spent by the attempt; a decline injected by the fault
  header or a magic amount changes nothing, so the same auth can be approved afterwards;
- at batch-key issuance only card-validity declines (lost/stolen, invalid number, expired)
  refuse the key; other card scenarios (limit exceeded, faults) are stored on the key and
  play at every payment with it, so charge timeouts can be tested deterministically;
- a full cancel (``STSC``) cancels whatever balance remains and answers ``tno`` and
  ``canc_time`` only (kcp.md lists ``mod_mny``/``rem_mny``/``mod_pcan_seq_no`` for partial
  cancels); a deposited virtual account is refunded with ``STHD``/``STPD`` only;
- ``Trade.fields`` keeps every request field except the named Trade fields and
  ``kcp_cert_info`` (a credential, not part of the order).
"""

from __future__ import annotations

from fastapi import APIRouter

from homeport.sandbox.server import approval, cancel, hub, inquiry, register

router = APIRouter(tags=["KCP API"])
for _module in (register, approval, hub, cancel, inquiry):
    router.include_router(_module.router)

__all__ = ["router"]
