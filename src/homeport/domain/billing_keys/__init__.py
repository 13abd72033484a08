"""Billing keys (i'mport "customers", 빌링키): a card kept at the PG under a customer_uid.

The merchant registers a card once (``POST /subscribe/customers/{customer_uid}``); KCP keeps
the card and hands back a batch key, which homeport stores sealed and never shows. Later
charges name the customer_uid. Reusing a customer_uid replaces the stored key (iamport-v1
§4.3); the old key is not revoked at the PG.
"""
