"""Payment windows: the pages a buyer sees between the merchant's order form and its return.

KCP's windows (kcp.md §6.1-6.2, §10) are emulated as plain HTML pages a person can use and
a test can drive with form posts:

- ``POST /pay/mobileGW.kcp``: the mobile window at ``PayUrl``, posted by the buyer's browser
  from the merchant's page; an EUC-KR form.
- ``POST /pay/jsp/encodingFilter/encodingFilter.jsp``: the same with ``encoding_trans=UTF-8``
  and ``PayUrl`` as a field; a UTF-8 form.
- ``POST /pay/pc``: the PC window, posted by ``kcp_spay_hub.js`` into its overlay iframe.
- ``POST /pay/window/{window_id}``: the window's own form; the buyer pays (``action=pay``) or
  cancels (``action=cancel``).
- ``GET /plugin/kcp_spay_hub.js`` (and the older ``/plugin/payplus_web.jsp``): the script
  defining ``KCP_Pay_Execute_Web``, ``KCP_Pay_Execute`` and ``GetField``.

A mobile window needs a trade registration (``/std/tradeReg/register``): the Trade found by
``approval_key`` must agree with the form's ``site_cd``/``ordr_idxx``/``good_mny``. A PC window
needs none. On "결제하기" the window stores the buyer's choice with
:func:`homeport.sandbox.auths.record_auth` (``selection`` keys as that module documents) and
returns ``enc_data``/``enc_info``: mobile by auto-posting to ``Ret_URL``, PC by
``postMessage`` to the merchant page, where ``kcp_spay_hub.js`` calls ``m_Completepayment``.
"취소" returns ``res_cd=3001``. A window that cannot open (unknown trade, mismatched order,
gift certificate without ``shop_user_id``, unknown group id...) returns a non-``0000``
``res_cd`` the same way.

Merchant field names are KCP's (kcp.md §6, §8, §10) except these sandbox picks, which are
**unverified** against KCP: ``kcp_app_card_yn=Y`` (card-app payments only, i'mport
``appCard``), ``samsungpay_direct`` and ``lpay_direct`` (``kakaopay_direct``,
``naverpay_direct``, ``payco_direct``, ``applepay_direct`` are seen in merchant code),
``hp_commid``/``hp_no`` (carrier and number fixed by the merchant), the MVNO carrier codes
``SKL``/``KTL``/``LGL`` (shared with :mod:`homeport.sandbox.methods`), the easy-pay
``card_pay_method`` values (only the ``KAKAO_`` prefix is seen), ``ret_pay_method=AUTH:CARD``
for batch issuance, and the two fields ``kcp_spay_hub.js`` adds itself:
``sandbox_parent_origin`` (the merchant page's origin, the ``postMessage`` target) and
``sandbox_nonce`` (ties a result to the window that was opened). The buyer's form (field
names ``method``, ``card_cd``, ``card_no``, ``quota``...) is the sandbox's own.

Card numbers reach the sandbox only in the buyer's form post; the ledger keeps them masked
(``NNNNNN******NNNN``).

Modules: :mod:`.session` (an open window), :mod:`.forms` (reading forms, the merchant's
fields), :mod:`.options` (what a window offers), :mod:`.view` (what the page shows),
:mod:`.choice` (the buyer's choice, stored as an authentication), :mod:`.pages` (window and
result pages), and the routes: :mod:`.mobile`, :mod:`.pc`, :mod:`.buyer`.
"""

from __future__ import annotations

from fastapi import APIRouter

from homeport.sandbox.windows import buyer, mobile, pc

router = APIRouter()
for _module in (mobile, pc, buyer):
    router.include_router(_module.router)

__all__ = ["router"]
