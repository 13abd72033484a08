"""The schema as SQLAlchemy Core tables (the current shape; migrations hold its history).

Timestamps are BIGINT UNIX seconds, the unit of the i'mport contract, so no time-zone
conversion happens between the database, the domain and the wire. Money is BIGINT won.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

meta = Table(
    "homeport_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

merchants = Table(
    "merchants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

api_credentials = Table(
    "api_credentials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("merchant_id", Integer, ForeignKey("merchants.id"), nullable=False, index=True),
    Column("imp_key", String(64), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("secret_salt", String(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

access_tokens = Table(
    "access_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("credential_id", Integer, ForeignKey("api_credentials.id"), nullable=False),
    Column("nonce", String(32), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("issued_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Index(None, "credential_id", "issued_at"),
)

pg_channels = Table(
    "pg_channels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("merchant_id", Integer, ForeignKey("merchants.id"), nullable=False),
    Column("pg_provider", String(32), nullable=False),
    Column("site_code", String(32), nullable=False),
    Column("site_name", String(200)),
    Column("environment", String(16), nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("certificate_path", Text),
    Column("private_key_path", Text),
    # AES-GCM sealed (homeport.store.crypto); never the clear password.
    Column("private_key_password_sealed", Text),
    Column("batch_group_id", String(32)),
    UniqueConstraint("merchant_id", "pg_provider", "site_code"),
)

payments = Table(
    "payments",
    metadata,
    Column("imp_uid", String(32), primary_key=True),
    Column("merchant_id", Integer, ForeignKey("merchants.id"), nullable=False),
    Column("merchant_uid", String(40), nullable=False),
    Column("status", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("tax_free", BigInteger, nullable=False),
    Column("name", String(200)),
    Column("pay_method", String(32)),
    Column("channel", String(16)),
    Column("pg_provider", String(32)),
    Column("emb_pg_provider", String(32)),
    Column("pg_tid", String(64)),
    Column("pg_id", String(80)),
    Column("sandbox", Boolean, nullable=False),
    Column("escrow", Boolean, nullable=False),
    Column("approval_number", String(32)),
    Column("card_company_code", String(16)),
    Column("card_company_name", String(64)),
    Column("card_issuer_code", String(16)),
    Column("card_issuer_name", String(64)),
    Column("card_publisher_code", String(16)),
    Column("card_publisher_name", String(64)),
    Column("card_masked_number", String(32)),
    Column("card_type", Integer),
    Column("card_installment_months", Integer, nullable=False),
    Column("bank_code", String(16)),
    Column("bank_name", String(64)),
    Column("vbank_code", String(16)),
    Column("vbank_name", String(64)),
    Column("vbank_number", String(64)),
    Column("vbank_holder", String(64)),
    Column("vbank_due_at", BigInteger, nullable=False),
    Column("vbank_issued_at", BigInteger, nullable=False),
    Column("buyer_name", String(64)),
    Column("buyer_email", String(128)),
    Column("buyer_tel", String(32)),
    Column("buyer_addr", String(256)),
    Column("buyer_postcode", String(16)),
    Column("custom_data", Text),
    Column("user_agent", Text),
    Column("notice_url", Text),
    Column("started_at", BigInteger, nullable=False),
    Column("paid_at", BigInteger, nullable=False),
    Column("failed_at", BigInteger, nullable=False),
    Column("cancelled_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("fail_reason", Text),
    Column("cancel_reason", Text),
    Column("receipt_url", Text),
    Column("cash_receipt_issued", Boolean, nullable=False),
    Column("customer_uid", String(80)),
    Column("customer_uid_usage", String(32)),
    Index(None, "merchant_id", "merchant_uid", "started_at"),
    Index(None, "merchant_id", "status", "started_at"),
    Index(None, "merchant_id", "status", "paid_at"),
    Index(None, "merchant_id", "customer_uid", "started_at"),
    # merchant_uid is unique per merchant among payments that are not failed: a declined
    # order may be retried under its merchant_uid, but a paid, cancelled, in-progress or
    # in-doubt one blocks every other. The database decides races between requests and
    # between processes (DESIGN invariant: never charge twice).
    Index(
        "ux_payments_live_merchant_uid",
        "merchant_id",
        "merchant_uid",
        unique=True,
        sqlite_where=text("status <> 'failed'"),
        postgresql_where=text("status <> 'failed'"),
    ),
)

payment_prepares = Table(
    "payment_prepares",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("merchant_id", Integer, ForeignKey("merchants.id"), nullable=False),
    Column("merchant_uid", String(40), nullable=False),
    Column("amount", BigInteger, nullable=False),
    # NULL: the merchant did not say, so the currency is not checked (i'mport §4.2).
    Column("currency", String(3)),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    UniqueConstraint("merchant_id", "merchant_uid"),
)

payment_cancellations = Table(
    "payment_cancellations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("imp_uid", String(32), ForeignKey("payments.imp_uid"), nullable=False, index=True),
    Column("cancellation_id", String(64), nullable=False, unique=True),
    Column("amount", BigInteger, nullable=False),
    Column("cancelled_at", BigInteger, nullable=False),
    Column("pg_tid", String(64)),
    Column("reason", Text),
    Column("receipt_url", Text),
)

billing_keys = Table(
    "billing_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("merchant_id", Integer, ForeignKey("merchants.id"), nullable=False),
    Column("customer_uid", String(80), nullable=False),
    # AES-GCM sealed (homeport.store.crypto), bound to merchant and customer_uid; never clear.
    Column("billing_key_sealed", Text, nullable=False),
    Column("group_id", String(32), nullable=False),
    Column("pg_provider", String(32), nullable=False),
    Column("pg_id", String(80), nullable=False),
    Column("sandbox", Boolean, nullable=False),
    Column("card_code", String(16)),
    Column("card_name", String(64)),
    # Masked by the PG or by homeport (first six and last four digits); never the number.
    Column("card_number", String(32)),
    Column("card_type", Integer),
    Column("customer_name", String(64)),
    Column("customer_tel", String(32)),
    Column("customer_email", String(200)),
    Column("customer_addr", String(200)),
    Column("customer_postcode", String(16)),
    Column("inserted", BigInteger, nullable=False),
    Column("updated", BigInteger, nullable=False),
    # NULL while the key is live; set when it was deleted (the row stays for history).
    Column("deleted_at", BigInteger),
    UniqueConstraint("merchant_id", "customer_uid"),
)

payment_attempts = Table(
    "payment_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("imp_uid", String(32), ForeignKey("payments.imp_uid"), nullable=False, index=True),
    Column("merchant_id", Integer, ForeignKey("merchants.id"), nullable=False),
    Column("operation", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("pg_provider", String(32), nullable=False),
    Column("pg_id", String(80), nullable=False),
    Column("pg_tid", String(64)),
    Column("pg_code", String(16)),
    Column("pg_message", Text),
    Column("started_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=False),
    # Reconciliation scans the unsettled ones (pending, unknown) oldest first.
    Index(None, "state", "started_at"),
)

payment_schedules = Table(
    "payment_schedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("merchant_id", Integer, ForeignKey("merchants.id"), nullable=False),
    Column("merchant_uid", String(40), nullable=False),
    Column("customer_uid", String(80), nullable=False),
    # scheduled / executed / revoked (i'mport's schedule_status).
    Column("status", String(16), nullable=False),
    Column("schedule_at", BigInteger, nullable=False),
    # What the charge sends; sizes match the payments table, which the charge will fill.
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("tax_free", BigInteger, nullable=False),
    Column("vat_amount", BigInteger),
    Column("name", String(200)),
    Column("buyer_name", String(64)),
    Column("buyer_email", String(128)),
    Column("buyer_tel", String(32)),
    Column("buyer_addr", String(256)),
    Column("buyer_postcode", String(16)),
    Column("custom_data", Text),
    Column("notice_url", Text),
    Column("card_quota", Integer, nullable=False),
    Column("interest_free_by_merchant", Boolean),
    Column("use_card_point", Boolean),
    Column("product_type", String(16)),
    Column("product_count", Integer),
    Column("cash_receipt_type", String(16)),
    # The buyer's IP passed to the PG: browser_ip, else the scheduling caller's (as again does).
    Column("browser_ip", String(64)),
    Column("extra", Text),
    Column("bypass", Text),
    Column("promotion_id", String(100)),
    # The billing key's channel when scheduled (ScheduleResult's pg_provider/pg_id).
    Column("pg_provider", String(32), nullable=False),
    Column("pg_id", String(80), nullable=False),
    # The outcome, once executed: NULL/0 before.
    Column("imp_uid", String(32)),
    Column("payment_status", String(16)),
    Column("fail_reason", Text),
    Column("executed_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    # The worker's lease (decision 0012): claimed until this time (0 = never claimed), by whom.
    Column("claimed_until", BigInteger, nullable=False, server_default="0"),
    Column("claimed_by", String(64)),
    UniqueConstraint("merchant_id", "merchant_uid"),
    # The worker's scan for due schedules: status = 'scheduled' AND schedule_at <= now.
    Index(None, "status", "schedule_at"),
    # The listings: by schedule_at within a merchant, or within one of its customers.
    Index(None, "merchant_id", "schedule_at"),
    Index(None, "merchant_id", "customer_uid", "schedule_at"),
)

escrow_deliveries = Table(
    "escrow_deliveries",
    metadata,
    # One registered delivery per escrow payment (KCP registers it once, kcp.md §8).
    Column("imp_uid", String(32), ForeignKey("payments.imp_uid"), primary_key=True),
    Column("company", String(16), nullable=False),
    Column("invoice", String(64), nullable=False),
    Column("sent_at", BigInteger, nullable=False),
    Column("applied_at", BigInteger, nullable=False),
    # Names only: the parties' phones and addresses are passed to the PG, not kept at rest.
    Column("sender_name", String(64)),
    Column("receiver_name", String(64)),
)

checkout_windows = Table(
    "checkout_windows",
    metadata,
    # What a payment window needs besides its payment (decision 0007), one per window payment.
    Column("imp_uid", String(32), ForeignKey("payments.imp_uid"), primary_key=True),
    Column("merchant_id", Integer, ForeignKey("merchants.id"), nullable=False),
    Column("device", String(16), nullable=False),
    Column("m_redirect_url", Text),
    Column("origin", String(300)),
    # request_pay's window options as JSON (store/checkout_windows.py reads and writes it).
    Column("options", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
pg_notifications = Table(
    "pg_notifications",
    metadata,
    # Every PG notification received (KCP's common notification, kcp.md §9), recorded once:
    # a repeat of (provider, site, notification id) is acknowledged and changes nothing.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pg_provider", String(32), nullable=False),
    Column("site", String(32), nullable=False),  # KCP site_cd
    Column("notification_id", String(80), nullable=False),  # KCP noti_id (<=20) or a derived id
    Column("pg_kind", String(16), nullable=False),  # KCP tx_cd/op_cd, e.g. TX00/50
    Column("kind", String(32), nullable=False),
    Column("pg_tid", String(64), nullable=False),  # KCP tno
    Column("order_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("pg_total", BigInteger, nullable=False),
    Column("deposited_total", BigInteger, nullable=False),
    Column("excess", BigInteger, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("imp_uid", String(32), ForeignKey("payments.imp_uid")),
    Column("depositor", String(64)),
    Column("occurred_at", BigInteger, nullable=False),
    Column("received_at", BigInteger, nullable=False),
    UniqueConstraint("pg_provider", "site", "notification_id"),
    # A payment's notifications, newest last (its running deposited total).
    Index(None, "imp_uid", "id"),
)

# Notifications name a payment by the PG's transaction id (KCP tno), across merchants.
Index("ix_payments_pg_tid", payments.c.pg_tid)

webhook_settings = Table(
    "webhook_settings",
    metadata,
    # A merchant's webhook settings (decision 0011); no row means the defaults.
    Column("merchant_id", Integer, ForeignKey("merchants.id"), primary_key=True),
    Column("url", Text),
    Column("format", String(8), nullable=False),
    # The event kinds sent, comma-separated (domain.webhooks.models.EventKind values).
    Column("kinds", Text, nullable=False),
    # The Standard Webhooks secret (whsec_...), sealed with SecretBox; created when first needed.
    Column("secret", Text),
    Column("updated_at", BigInteger, nullable=False),
)

webhook_events = Table(
    "webhook_events",
    metadata,
    # One payment change worth a webhook, written in the change's transaction (store_change).
    # Insertion order (several events share a second); ``id`` is what merchants see.
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),  # the webhook-id header
    Column("merchant_id", Integer, ForeignKey("merchants.id"), nullable=False),
    Column("imp_uid", String(32), ForeignKey("payments.imp_uid"), nullable=False),
    Column("merchant_uid", String(40), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("cancellation_id", String(64)),
    Column("requested", Boolean),
    Column("decision", String(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index(None, "merchant_id", "created_at"),
    Index(None, "imp_uid"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    # An event on its way to one URL; claimed by a worker until claimed_until (a lease).
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(40), ForeignKey("webhook_events.id"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("format", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempt_count", Integer, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("claimed_until", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=False),
    # The due query: pending deliveries by due time.
    Index(None, "state", "next_attempt_at"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    # Every HTTP try of a delivery, appended.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Integer, ForeignKey("webhook_deliveries.id"), nullable=False),
    Column("attempted_at", BigInteger, nullable=False),
    Column("http_status", Integer),
    Column("error", Text),
    Column("duration_ms", Integer, nullable=False),
    Column("response_body", Text),  # the first ~1 KB
    Index(None, "delivery_id", "id"),
)
# Virtual-account expiry scans ready payments by deadline, across merchants (decision 0013).
Index("ix_payments_status_vbank_due_at", payments.c.status, payments.c.vbank_due_at)
