"""Amount pre-registration (사전검증, i'mport ``/payments/prepare``).

A merchant registers the amount of an order before the buyer pays; a payment for that
merchant_uid with any other amount is then refused (the window is never opened), so an amount
tampered with in the browser cannot be paid.
"""
