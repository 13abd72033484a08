"""Scheduled payments (i'mport ``/subscribe/payments/schedule``, 예약결제).

A merchant asks for future charges of a customer_uid's billing key: each schedule names its
own merchant_uid, a time (``schedule_at``) and an amount. A worker (a later issue) charges
due schedules with the billing key and records the outcome on the schedule; until then the
merchant can move, revoke and list them (iamport-v1 §4.3, §4.4, §5.6).
"""
