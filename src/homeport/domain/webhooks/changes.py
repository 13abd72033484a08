"""``store_change``: the one way a payment's state is written, so no change misses its webhook.

DESIGN §Core flows 6: every status change writes its outbox row in the same transaction. A
unit test (tests/unit/test_webhook_changes.py) fails if any domain module calls
``payments.replace(`` anywhere else.
"""

from __future__ import annotations

from homeport.domain.payments.models import Payment
from homeport.domain.uow import UnitOfWork
from homeport.domain.webhooks.models import WebhookEvent
from homeport.domain.webhooks.policy import decide, destinations, event_kind, new_event_id


async def store_change(
    uow: UnitOfWork,
    before: Payment,
    after: Payment,
    *,
    now: int,
    cancellation_id: str | None = None,
    requested: bool | None = None,
) -> bool:
    """Replace ``before`` by ``after`` if the stored status is still ``before.status`` and, if it
    was, write the change's webhook event in the same unit of work; returns whether it was.

    ``requested``: None when no merchant API request made the change (an operator, a worker, the
    PG's notification), else the request's ``enable_webhook`` (§6: API cancels opt in).
    """
    if not await uow.payments.replace(after, expected=before.status):
        return False
    kind = event_kind(before, after, cancellation_id=cancellation_id, requested=requested)
    if kind is None:
        return True
    settings = await uow.webhooks.settings(after.merchant_id)
    urls = destinations(after.notice_url, settings.url)
    event = WebhookEvent(
        id=new_event_id(),
        merchant_id=after.merchant_id,
        imp_uid=after.imp_uid,
        merchant_uid=after.merchant_uid,
        kind=kind,
        status=after.status,
        created_at=now,
        decision=decide(kind, requested, settings, urls),
        cancellation_id=cancellation_id,
        requested=requested,
    )
    await uow.webhooks.add_event(event, urls, format=settings.format, now=now)
    return True
