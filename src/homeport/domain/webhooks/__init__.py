"""Merchant webhooks (iamport-v1 §6): events written with payment changes, delivered by an outbox."""
