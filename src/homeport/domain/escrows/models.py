"""An escrow delivery as homeport keeps it (i'mport's EscrowLogis, iamport-v1 §5.9)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EscrowDelivery:
    """The registered shipment of one escrow payment.

    Only the parties' names are kept: their phone numbers and addresses go to the PG (which
    may use them) and are not stored at rest, as nothing homeport answers needs them.
    """

    imp_uid: str
    company: str  # i'mport's carrier code as the PG registered it (unknown codes become ETC)
    invoice: str
    sent_at: int
    applied_at: int
    sender_name: str | None = None
    receiver_name: str | None = None
