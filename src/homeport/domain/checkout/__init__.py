"""The hosted checkout: what ``IMP.request_pay`` asks for and the order it registers (issue 6).

A merchant page calls ``IMP.init(code)`` then ``IMP.request_pay(params, callback)``; homeport
checks the params, stores a ``ready`` payment holding the amount (so approval uses the stored
amount, never the browser's) and only then opens KCP's window.
"""
