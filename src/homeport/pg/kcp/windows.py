"""KCP's window order forms: the mobile one POSTed to ``PayUrl`` (kcp.md §10.2) and the PC
one handed to ``kcp_spay_hub.js`` (§10.1), with every ``request_pay`` option in KCP's names.

Where kcp.md names no field for an option, the comment says so and the field is the one the
KCP sandbox's windows read (``homeport.sandbox.windows.options``); those are **unverified**
against KCP and listed in decision 0007.
"""

from __future__ import annotations

from homeport.domain.money import INSTALLMENT_MINIMUM, Won
from homeport.pg.base import TradeRequest, WindowOptions
from homeport.pg.kcp import methods, wire

#: KCP's UTF-8 filter in front of the mobile window: ``dirname(PayUrl)`` + this (§10.2).
ENCODING_FILTER_PATH = "/jsp/encodingFilter/encodingFilter.jsp"
#: ``quotaopt`` is the highest installment month the window offers, 0 to 12 (§10.1).
QUOTA_OPT_MAX = 12
#: Empty result holders the PC form must carry; the window fills them (§10.1, §6.1).
PC_RESULT_HOLDERS = (
    "res_cd",
    "res_msg",
    "enc_info",
    "enc_data",
    "ret_pay_method",
    "tran_cd",
    "use_pay_method",
    "ordr_chk",
    "cash_yn",
    "cash_tr_code",
    "cash_id_info",
)
#: ``good_info`` separators: records by RS (0x1E), ``key=value`` pairs by US (0x1F). kcp.md §8
#: names ``good_info`` without its format; this is the format of KCP's escrow samples and the
#: one the sandbox reads (unverified).
_RECORD, _UNIT = "\x1e", "\x1f"
#: Every card company KCP's ``used_card`` can name, in the table's order (§11.5).
_ALL_CARDS = tuple(code for code, (imp_code, _name) in methods.CARD_COMPANIES.items() if imp_code)


def encoding_filter_url(pay_url: str) -> str:
    """Where a UTF-8 mobile form goes: ``dirname(PayUrl)`` + the filter's path (§10.2)."""
    return pay_url.rsplit("/", 1)[0] + ENCODING_FILTER_PATH


def mobile_form(
    site_cd: str, request: TradeRequest, *, approval_key: str, trace_no: str, pay_url: str
) -> dict[str, str]:
    """The order form the page POSTs to :func:`encoding_filter_url` (kcp.md §10.2).

    ``encoding_trans=UTF-8`` makes KCP read this form, and post the result to ``Ret_URL``,
    in UTF-8; ``PayUrl`` rides along as a field for the filter.
    """
    billing = request.billing_group_id is not None
    fields = {
        "req_tx": "pay",
        "site_cd": site_cd,
        "ordr_idxx": request.order_id,
        "good_name": request.name,
        "good_mny": str(request.amount),
        "Ret_URL": request.return_url,
        "approval_key": approval_key,
        "traceNo": trace_no,
        "PayUrl": pay_url,
        "encoding_trans": "UTF-8",
        **wire.escrow_fields(request.escrow),
        **_buyer(request),
        **methods.window_fields("billing" if billing else request.pay_method, mobile=True),
    }
    if billing:
        fields["kcp_group_id"] = request.billing_group_id or ""  # mobile spelling (§6.2)
        fields["batch_cardno_return_yn"] = "Y"
    fields.update(option_fields(request, shop_name_field="shop_name"))
    return fields


def pc_form(site_cd: str, request: TradeRequest) -> dict[str, str]:
    """The order form a page hands to ``KCP_Pay_Execute_Web`` (kcp.md §10.1, §6.1 for billing)."""
    billing = request.billing_group_id is not None
    fields = {
        "site_cd": site_cd,
        "ordr_idxx": request.order_id,
        "good_name": request.name,
        "good_mny": str(request.amount),
        "module_type": "01",
        **wire.escrow_fields(request.escrow),
        **_buyer(request),
        **methods.window_fields("billing" if billing else request.pay_method, mobile=False),
        **dict.fromkeys(PC_RESULT_HOLDERS, ""),
    }
    if billing:
        fields["kcpgroup_id"] = request.billing_group_id or ""  # PC spelling (§6.1)
        fields["batch_soc"] = "Y"
        fields["batch_cardno_return_yn"] = "Y"
        fields["card_mask_no"] = ""  # filled by the window with the masked card number
    fields.update(option_fields(request, shop_name_field="site_name"))
    return fields


def _buyer(request: TradeRequest) -> dict[str, str]:
    buyer = request.buyer
    return wire.Buyer(buyer.name or "", buyer.email or "", buyer.tel or "").fields()


def option_fields(request: TradeRequest, *, shop_name_field: str) -> dict[str, str]:
    """``request_pay``'s window options as KCP fields, for both windows.

    ``shop_name_field`` is where the shop's name goes: ``site_name`` on PC (§6.1, §10.1),
    ``shop_name`` on mobile (§6.2, §10.2).
    """
    options = request.options
    fields: dict[str, str] = {}
    fields.update(_installments(options, request.amount))
    fields.update(_cards(options))
    if options.app_card_only:
        # kcp.md names no field for "card apps only" (i'mport appCard); the sandbox's pick.
        fields["kcp_app_card_yn"] = "Y"
    # auth_mode 'key-in': KCP's windows have no field for typing the card in (kcp.md §10 names
    # none); key-in is KCP's server call (card_tx_type 11121000), so nothing is sent here.
    if options.shop_user_id:
        fields["shop_user_id"] = options.shop_user_id  # gift certificates need it (§10.1)
    if options.site_logo:
        fields["site_logo"] = options.site_logo
    if options.shop_name:
        fields[shop_name_field] = options.shop_name
    if options.language == "en":
        # §10.1 lists eng_flag for PC without its values; "Y" and its use on mobile are unverified.
        fields["eng_flag"] = "Y"
    if request.escrow:
        fields.update(_escrow(options))
    if options.tax_free:
        fields.update(methods.tax_fields(request.amount, options.tax_free))
    if options.vbank_due:
        # kcp.md names ipgm_date for the mobile window (§10.2) without its format, and for PC
        # only vcnt_expire_term in days, which cannot say a set date: ipgm_date
        # (YYYYMMDDHHMMSS, KST) goes to both. Unverified; the sandbox reads it on both.
        fields["ipgm_date"] = methods.unix_to_kcp_time(options.vbank_due)
    if options.phone:
        # The buyer's number for phone payments: kcp.md names no field; the sandbox's hp_no.
        fields["hp_no"] = options.phone
    return fields


def _installments(options: WindowOptions, amount: Won) -> dict[str, str]:
    """``quotaopt`` (the highest month offered) or ``fix_inst`` (one fixed plan).

    Installments exist only from 50,000 won (§10.1): below that the window is told lump sum
    only. KCP offers every month from 2 up to ``quotaopt``, so i'mport's list of months becomes
    its highest (``[2, 3, 6]`` offers 2 to 6); an empty list or only 0/1 is lump sum only.
    """
    if amount < INSTALLMENT_MINIMUM:
        return {"quotaopt": "0"}
    if options.fixed_quota is not None:
        if options.fixed_quota >= 2:
            # §10.1 names fix_inst without its format; two digits like the approval's quota.
            return {"fix_inst": wire.quota(options.fixed_quota)}
        return {"quotaopt": "0"}
    if options.offered_quotas is not None:
        top = max((q for q in options.offered_quotas if q >= 2), default=0)
        return {"quotaopt": str(min(top, QUOTA_OPT_MAX))}
    return {}


def _kcp_cards(imp_code: str) -> list[str]:
    """KCP's card codes for an i'mport card code (some i'mport codes cover two of KCP's)."""
    if imp_code == "*":
        return list(_ALL_CARDS)
    return [code for code in _ALL_CARDS if methods.CARD_COMPANIES[code][0] == imp_code]


def _cards(options: WindowOptions) -> dict[str, str]:
    """The cards the window lists: ``used_card_YN=Y`` and ``used_card`` (``CCBC:CCKM``, §10.1).

    ``card.direct.code``: kcp.md names no field that opens one company's module directly, so the
    window lists that company only. ``card.detail`` is applied in order from every card
    (``*`` disabled empties the list, a code enabled adds it back). Codes KCP does not know
    are dropped. kcp.md §11.5 warns that ``used_card`` codes may differ from the card codes
    KCP returns: the returned ones (``CCBC``...) are used here, unverified.
    """
    if options.direct_card:
        allowed = _kcp_cards(options.direct_card)
    elif options.cards:
        allowed = list(_ALL_CARDS)
        for code, enabled in options.cards:
            named = _kcp_cards(code)
            if enabled:
                allowed += [c for c in named if c not in allowed]
            else:
                allowed = [c for c in allowed if c not in named]
    else:
        return {}
    if not allowed or set(allowed) == set(_ALL_CARDS):
        return {}  # nothing to narrow (or nothing KCP knows): the window's own list
    return {"used_card_YN": "Y", "used_card": ":".join(allowed)}


def _escrow(options: WindowOptions) -> dict[str, str]:
    """The escrow cart (kcp.md §8): ``pay_mod``, ``bask_cntx`` (lines) and ``good_info``.

    ``pay_mod=Y`` (escrow only; ``N`` plain, ``O`` the admin's setting) is from KCP's escrow
    samples, not kcp.md, which names the field only: unverified.
    """
    lines = [
        _UNIT.join(
            (
                f"seq={index}",
                f"ordr_numb={line.order_number}",
                f"good_name={line.name}",
                f"good_cntx={line.quantity}",
                f"good_amtx={line.amount}",
            )
        )
        for index, line in enumerate(options.escrow_cart, start=1)
    ]
    return {"pay_mod": "Y", "bask_cntx": str(len(lines)), "good_info": _RECORD.join(lines)}
