"""The sandbox answers at least every field of the golden KCP samples in tests/fixtures/kcp/.

Each sample is a request and a response written from kcp.md's field lists; ``<...>`` values
are placeholders the test fills in (certificate, signature, tokens, tno, batch key).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox.kcp import Kcp, new_order

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "kcp"
SAMPLES = sorted(p.stem for p in GOLDEN.glob("*.json"))


def load(name: str) -> dict[str, Any]:
    sample: dict[str, Any] = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    return sample


async def filled_request(kcp: Kcp, sample: dict[str, Any]) -> dict[str, str]:
    """The sample's request with its placeholders replaced by live values."""
    request: dict[str, str] = dict(sample["request"])
    site_cd = request["site_cd"]
    values = {"<kcp_cert_info>": kcp.cert_info(site_cd), "<ordr_idxx>": new_order()}
    endpoint = sample["endpoint"]
    if "<enc_data>" in request.values():
        if request["tran_cd"] == "00300001":
            auth = kcp.batch_auth(site_cd=site_cd)
        else:
            auth = kcp.auth(request["pay_type"], int(request["ordr_mony"]), site_cd=site_cd)
            values["<ordr_idxx>"] = auth["ordr_idxx"]
        values.update({"<enc_data>": auth["enc_data"], "<enc_info>": auth["enc_info"]})
    if "<batch_key>" in request.values():
        values["<batch_key>"] = await kcp.issue_batch_key(site_cd=site_cd)
    if "<tno>" in request.values():
        amount = int(request.get("rem_mny") or 1004)
        escrow = "Y" if request.get("mod_type") == "STE1" else "N"  # deliveries are for escrow payments
        paid = await kcp.pay(request.get("pay_type", "PACA"), amount, site_cd=site_cd, escw_used=escrow)
        values["<tno>"] = paid["tno"]
        last = "mod_type" if endpoint.endswith("/cancel") else "pay_type"
        values["kcp_sign_data"] = kcp.sign(site_cd, paid["tno"], request[last], key_of=site_cd)
    for key, value in request.items():
        if key == "kcp_sign_data":
            request[key] = values["kcp_sign_data"]
        elif value in values:
            request[key] = values[value]
    return request


def test_the_golden_samples_exist() -> None:
    """Approval (card), batch pay, partial cancel, inquiry, virtual account by API and escrow
    delivery samples are present."""
    assert {
        "approval_card",
        "batch_pay",
        "cancel_partial",
        "inquiry_card",
        "vbank_issue",
        "escrow_delivery",
    } <= set(SAMPLES)


@pytest.mark.parametrize("name", SAMPLES)
async def test_the_sandbox_answers_every_golden_field(kcp: Kcp, name: str) -> None:
    """The sample request is accepted as written and the answer has every key of the sample
    response, with the same result code; all values are strings."""
    sample = load(name)
    request = await filled_request(kcp, sample)
    answer = await kcp.call(sample["endpoint"], request)
    expected = sample["response"]
    code = "Code" if "Code" in expected else "res_cd"
    assert answer[code] == expected[code], answer
    assert set(expected) <= set(answer), set(expected) - set(answer)
    for key in ("pay_method", "mod_mny", "rem_mny", "amount", "stat_ca_cd"):
        if key in expected:
            assert answer[key] == expected[key], key
