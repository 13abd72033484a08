"""What a conformance target offers, and what a scenario is: the library's public vocabulary."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from homeport.domain.money import Won
from homeport.pg.base import Approved, Buyer, CardInput, PgConnector, WindowResult

#: How far a time the PG reports may be from the target's clock (KST read as UTC is 9 h off).
CLOCK_TOLERANCE_SECONDS = 15 * 60

#: The stable ``Declined.reason`` for an approval whose amount is not the authenticated one.
AMOUNT_MISMATCH = "amount_mismatch"


class ConformanceError(AssertionError):
    """A connector did not behave as the PgConnector protocol says."""


@dataclass(frozen=True)
class WindowOrder:
    """A payment window to complete: what the merchant ordered and what the buyer does in it."""

    order_id: str
    amount: Won
    name: str
    pay_method: str
    #: The card number the buyer types (card, easy-pay and billing-key windows).
    card_number: str
    #: Set for a billing-key window (no money moves; ``amount`` is only shown).
    billing_group_id: str | None = None
    buyer: Buyer = field(default_factory=Buyer)
    #: Pay with escrow (the PG holds the money until the buyer confirms the delivery).
    escrow: bool = False


#: Plays the buyer: registers the trade with ``connector`` where the PG needs it, completes the
#: window, and returns what the window handed back to the return URL.
WindowDriver = Callable[[PgConnector, WindowOrder], Awaitable[WindowResult]]


@dataclass(frozen=True)
class FaultInjection:
    """How a target is made to misbehave, by the amount of a key-in charge.

    ``find_pg_tids`` lists the PG's transactions for an order id: KCP has no inquiry by order
    number, so after a lost reply the harness must find the transaction its own way (the
    sandbox's records, a PG's merchant admin).
    """

    #: The charge is processed, then its reply is held longer than the client reads.
    timeout_amount: Won
    #: The reply is HTTP 500 with an HTML page.
    server_error_amount: Won
    #: The reply is HTTP 502 with an empty body.
    bad_gateway_amount: Won
    #: The reply is HTTP 200 with a truncated, non-JSON body.
    malformed_amount: Won
    find_pg_tids: Callable[[str], Awaitable[Sequence[str]]]


@dataclass(frozen=True)
class SentNotification:
    """A notification the PG sent to the merchant's URL, as that URL received it."""

    body: bytes
    content_type: str


#: Deposits ``amount`` won into the virtual account of ``approved`` as a bank transfer would
#: (the PG's own test tool: KCP's stage mock-deposit page, the sandbox's ``/_sandbox/deposit``)
#: and returns the notification the PG sent about it; None when the PG refused the deposit
#: (an account revoked or past its deadline).
VbankDeposit = Callable[[Approved, Won], Awaitable[SentNotification | None]]


#: A card that passes the Luhn check and expires far ahead; any test PG should take it.
DEFAULT_KEYIN_CARD = CardInput(
    number="4111111111111111",
    expiry="2035-12",
    birth="800101",
    password_2digit="00",  # noqa: S106 - a test card
)


@dataclass(frozen=True)
class ConformanceTarget:
    """What the PG side offers the scenarios."""

    name: str
    #: Completes payment windows; None when windows need a person (a real PG's stage).
    window: WindowDriver | None = None
    #: The pay methods (homeport's vocabulary) ``window`` can complete.
    window_methods: frozenset[str] = frozenset({"card"})
    #: The card number a buyer types in a window that should approve.
    window_card_number: str = "4111111111111111"
    #: A billing group of the billing connector's site; None: no billing scenarios.
    billing_group_id: str | None = None
    #: Whether the PG takes key-in (card typed in) charges and billing-key issuance.
    keyin: bool = True
    keyin_card: CardInput = DEFAULT_KEYIN_CARD
    #: A card the PG declines at approval or charge, and the PG code it then answers.
    declining_card: str | None = None
    declining_pg_code: str | None = None
    #: The PG code of an approval whose amount differs from the authenticated one.
    amount_mismatch_pg_code: str | None = None
    faults: FaultInjection | None = None
    #: The target's current UNIX time, to check the times the PG reports; None: not checked.
    now: Callable[[], int] | None = None
    #: The amount of simple payments (whole won; not one of the target's fault amounts).
    amount: Won = 1004
    order_prefix: str = "HPC"
    #: A well-formed window return in the PG's own fields (its tokens need not be valid):
    #: what the unreachable-PG scenario tries to approve. None: that call is not tried.
    sample_window_return: Mapping[str, str] | None = None
    #: The bank (KFTC 3-digit code, e.g. ``004``) to issue virtual accounts at without a window;
    #: None: the target issues none that way.
    vbank_bank_code: str | None = None
    #: Pays virtual accounts and hands back the PG's notification; None: no such tool.
    vbank_deposit: VbankDeposit | None = None
    #: Whether the escrow connector's site takes escrow payments (through the window).
    escrow: bool = False


class ConnectorKind(StrEnum):
    """Which connector a scenario is run with; the harness builds one of each it can."""

    #: The target's ordinary channel.
    STANDARD = "standard"
    #: A channel whose site may issue billing keys in ``target.billing_group_id``.
    BILLING = "billing"
    #: The ordinary channel with an HTTP client that gives up reading sooner than the target
    #: holds a reply (``FaultInjection.timeout_amount``).
    SHORT_READ_TIMEOUT = "short_read_timeout"
    #: The ordinary channel pointed at a base URL where nothing listens (connection refused).
    UNREACHABLE = "unreachable"
    #: A channel whose site takes escrow payments (KCP: an escrow site, such as stage's T0007).
    ESCROW = "escrow"


class Requirement(StrEnum):
    """What a scenario needs from a target."""

    WINDOW = "window"
    BILLING = "billing"
    KEYIN = "keyin"
    #: A card payment to cancel or inquire: through a window, else key-in.
    PAYMENT = "payment"
    DECLINING_CARD = "declining_card"
    FAULTS = "faults"
    #: Virtual accounts issued without a window (and a clock for their deadline).
    VBANK_API = "vbank_api"
    #: A tool that pays virtual accounts and returns the PG's notification.
    VBANK_DEPOSIT = "vbank_deposit"
    #: Escrow payments on the escrow connector's site.
    ESCROW = "escrow"


ScenarioFunction = Callable[[PgConnector, ConformanceTarget], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    """One conformance scenario: its name, what it checks, and what it needs."""

    name: str
    summary: str
    run: ScenarioFunction
    connector: ConnectorKind = ConnectorKind.STANDARD
    requires: tuple[Requirement, ...] = ()
    #: For window scenarios: the pay method the window must offer.
    window_method: str | None = None

    def unmet(self, target: ConformanceTarget) -> str | None:
        """Why this scenario cannot run against ``target``, or None when it can."""
        reasons = {
            Requirement.WINDOW: (
                target.window is None,
                "completing a payment window needs a buyer (the target has no window driver)",
            ),
            Requirement.BILLING: (target.billing_group_id is None, "the target has no billing group id"),
            Requirement.KEYIN: (not target.keyin, "the target takes no key-in charges"),
            Requirement.PAYMENT: (
                target.window is None and not target.keyin,
                "a card payment needs a window driver or key-in charges",
            ),
            Requirement.DECLINING_CARD: (target.declining_card is None, "the target names no declining card"),
            Requirement.FAULTS: (target.faults is None, "faults cannot be injected into the target"),
            Requirement.VBANK_API: (
                target.vbank_bank_code is None or target.now is None,
                "issuing a virtual account needs a bank code (vbank_bank_code) and the target's clock",
            ),
            Requirement.VBANK_DEPOSIT: (
                target.vbank_deposit is None,
                "the target has no tool to pay a virtual account (vbank_deposit)",
            ),
            Requirement.ESCROW: (not target.escrow, "the target's escrow site is not configured (escrow)"),
        }
        for requirement in self.requires:
            missing, reason = reasons[requirement]
            if missing:
                return reason
        if self.window_method is not None and self.window_method not in target.window_methods:
            return f"the target's window does not offer pay_method {self.window_method!r}"
        return None
