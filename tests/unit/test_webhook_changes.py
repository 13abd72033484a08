"""Every payment state write goes through store_change, so no change can miss its webhook event."""

from __future__ import annotations

from pathlib import Path

import homeport.domain

DOMAIN = Path(homeport.domain.__file__).parent
CHANGES = DOMAIN / "webhooks" / "changes.py"


def test_no_domain_module_replaces_a_payment_except_store_change() -> None:
    offenders = [
        f"{path.relative_to(DOMAIN)}:{number}"
        for path in sorted(DOMAIN.rglob("*.py"))
        if path != CHANGES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "payments.replace(" in line
    ]

    assert offenders == [], "write payment changes with homeport.domain.webhooks.changes.store_change"


def test_store_change_is_where_the_payment_is_replaced() -> None:
    assert "uow.payments.replace(after, expected=before.status)" in CHANGES.read_text(encoding="utf-8")
