"""The buyer's choice in a window, checked and stored as an authentication.

:func:`authorize` reads the buyer's form (the sandbox's own field names: ``method``,
``card_cd``, ``card_no``, ``quota``...) against the :class:`~.view.View` and stores it with
:func:`homeport.sandbox.auths.record_auth`; card numbers are kept masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from homeport.sandbox import auths, codes, methods, scenarios
from homeport.sandbox.context import Sandbox
from homeport.sandbox.windows.forms import flag, only_digits
from homeport.sandbox.windows.options import EASY_PAYS, Choice, Method
from homeport.sandbox.windows.session import InputError, Session, WindowError
from homeport.sandbox.windows.view import GIFT_NEEDS_USER, View


@dataclass(frozen=True)
class Authorized:
    """A stored authentication and what the merchant gets besides the common fields."""

    auth: dict[str, Any]
    method: Method
    extra: dict[str, str]


def _digits(value: str) -> str:
    return re.sub(r"[\s\-]", "", value)


def _returned_mask(card_no: str, mode: str) -> str:
    """``card_mask_no`` for ``batch_cardno_return_yn`` (kcp.md §6.1): Y masked, L last four."""
    mode = mode.upper()
    if mode == "Y":
        return f"{card_no[:4]}-{card_no[4:8]}-****-{card_no[-4:]}"
    if mode == "L":
        return card_no[-4:]
    return ""


def _pick(form: dict[str, str], name: str, choices: list[Choice], what: str) -> Choice:
    value = form.get(name, "").strip()
    if len(choices) == 1 and not value:
        return choices[0]
    for choice in choices:
        if choice.value == value:
            return choice
    raise InputError(f"{what}을(를) 선택해 주세요.")


def _card_input(view: View, form: dict[str, str]) -> tuple[Choice, str, str, str]:
    """The card company, the card number and the two BIN types (personal, credit)."""
    company = _pick(form, "card_cd", view.card_companies, "카드사")
    card_no = _digits(form.get("card_no", ""))
    if not re.fullmatch(r"[0-9]{13,19}", card_no):
        raise InputError("카드번호를 확인해 주세요 (숫자 13~19자리).")
    personal = "1" if form.get("card_bin_type_01") == "1" else "0"
    credit = "1" if form.get("card_bin_type_02") == "1" else "0"
    return company, card_no, personal, credit


def _card(view: View, form: dict[str, str]) -> tuple[dict[str, Any], str, dict[str, str]]:
    company, card_no, personal, credit = _card_input(view, form)
    quota = _pick(form, "quota", view.quotas, "할부 개월").value if view.quotas else "00"
    months = view.noint.get(company.value, view.noint.get("ALL", []))
    easy_pay = view.easy_pay_direct or form.get("easy_pay", "").strip()
    if easy_pay and easy_pay not in EASY_PAYS:
        raise InputError("간편결제 수단을 확인해 주세요.")
    card_pay_method = EASY_PAYS[easy_pay].card_pay_method if easy_pay else ""
    selection = {
        "card_cd": company.value,
        "card_name": company.label,
        "card_no": methods.mask_card(card_no),
        "quota": quota,
        "noinf": "Y" if quota in months else "N",
        "partcanc_yn": "Y",
        "card_bin_type_01": personal,
        "card_bin_type_02": credit,
        "card_pay_method": card_pay_method,
        "easy_pay": easy_pay,
        "app_card": "Y" if view.app_card_only or flag(form.get("app_card", "")) else "N",
    }
    return selection, scenarios.for_card(card_no).name, {"card_pay_method": card_pay_method}


def _cash_receipt(view: View, form: dict[str, str]) -> dict[str, str]:
    if not view.cash_receipt or not flag(form.get("cash_yn", "")):
        return {"cash_yn": "N", "cash_tr_code": "", "cash_id_info": ""}
    id_info = only_digits(form.get("cash_id_info", ""))
    if not 10 <= len(id_info) <= 18:
        raise InputError("현금영수증 발급 번호(휴대폰 번호 또는 사업자번호)를 확인해 주세요.")
    tr_code = "1" if form.get("cash_tr_code") == "1" else "0"
    return {"cash_yn": "Y", "cash_tr_code": tr_code, "cash_id_info": id_info}


def _batch(view: View, session: Session, form: dict[str, str]) -> tuple[dict[str, Any], str, dict[str, str]]:
    company, card_no, personal, credit = _card_input(view, form)
    if view.ask_taxno:
        taxno = only_digits(form.get("card_taxno", ""))
        lengths = {"S": (6,), "C": (10,)}.get(view.taxno_choice, (6, 10))
        if len(taxno) not in lengths:
            raise InputError("생년월일 6자리 또는 사업자번호 10자리를 입력해 주세요.")
    selection = {
        "group_id": view.group_id,
        "card_cd": company.value,
        "card_name": company.label,
        "card_mask_no": methods.mask_card(card_no),
        "card_bin_type_01": personal,
        "card_bin_type_02": credit,
    }
    extra = {
        "card_mask_no": _returned_mask(card_no, session.get("batch_cardno_return_yn")),
        "kcp_group_id": view.group_id,
    }
    return selection, scenarios.for_card(card_no).name, extra


def authorize(sandbox: Sandbox, session: Session, view: View, form: dict[str, str]) -> Authorized:
    """Turn the buyer's form into a stored authentication (InputError: ask again)."""
    key = form.get("method", "").strip() or (view.methods[0].key if len(view.methods) == 1 else "")
    method = next((m for m in view.methods if m.key == key), None)
    if method is None:
        raise InputError("결제수단을 선택해 주세요.")
    scenario = "normal"
    extra: dict[str, str] = {}
    selection: dict[str, Any]
    if method.key == "card":
        selection, scenario, extra = _card(view, form)
    elif method.key == "bank":
        bank = _pick(form, "bank_code", view.banks, "은행")
        selection = {"bank_code": bank.value, "bank_name": bank.label}
        extra = _cash_receipt(view, form)
    elif method.key == "vbank":
        bank = _pick(form, "vbank_code", view.vbanks, "입금 은행")
        selection = {
            "bankcode": bank.value,
            "bankname": bank.label,
            "va_date": view.va_date,
            "depositor": methods.STAGE_DEPOSITOR,
            "buyr_name": session.get("buyr_name"),
        }
        extra = _cash_receipt(view, form)
    elif method.key == "phone":
        # A carrier fixed by the merchant (hp_commid) is not the buyer's to change.
        carrier = view.carriers[0] if view.fixed_carrier else _pick(form, "commid", view.carriers, "통신사")
        mobile_no = view.fixed_phone or only_digits(form.get("mobile_no", ""))
        if not re.fullmatch(r"01[0-9]{8,9}", mobile_no):
            raise InputError("휴대폰 번호를 확인해 주세요.")
        selection = {"commid": carrier.value, "mobile_no": mobile_no}
    elif method.key == "point":
        point = _pick(form, "pnt_issue", view.points, "포인트")
        selection = {"pnt_issue": point.value}
    elif method.key == "gift":
        if not view.shop_user_id:
            raise WindowError(codes.MISSING_FIELD, GIFT_NEEDS_USER)
        gift = _pick(form, "tk_van_code", view.gifts, "상품권")
        selection = {"tk_van_code": gift.value, "shop_user_id": view.shop_user_id}
    else:
        selection, scenario, extra = _batch(view, session, form)
    auth = auths.record_auth(
        sandbox,
        site_cd=view.site_cd,
        ordr_idxx=view.ordr_idxx,
        good_mny=view.good_mny,
        good_name=view.good_name,
        pay_type=method.pay_type,
        use_pay_method=method.use_pay_method,
        selection=selection,
        tran_cd=auths.TRAN_BATCH_KEY if method.key == "batch" else auths.TRAN_PAYMENT,
        scenario=scenario,
        escw_used="Y" if view.escrow else "N",
    )
    return Authorized(auth=dict(auth), method=method, extra=extra)
