"""The webhook request body i'mport sends merchants (iamport-v1 §6), kept with the other
i'mport wire shapes: ``imp_uid``, ``merchant_uid``, ``status`` and, for cancels,
``cancellation_id``, as JSON or form-encoded per the merchant's setting."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from homeport.domain.webhooks.models import WebhookEvent, WebhookFormat


def webhook_body(event: WebhookEvent, format: WebhookFormat) -> tuple[str, str]:
    """The request body and its content type, as i'mport sends them (§6)."""
    fields = {"imp_uid": event.imp_uid, "merchant_uid": event.merchant_uid, "status": event.status.value}
    if event.cancellation_id is not None:
        fields["cancellation_id"] = event.cancellation_id
    if format is WebhookFormat.FORM:
        return urlencode(fields), "application/x-www-form-urlencoded"
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")), "application/json"
