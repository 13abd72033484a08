"""Escrow deliveries: the shipment of an escrow payment's goods, registered at the PG (§4.5)."""
