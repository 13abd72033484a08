"""homeport's KCP sandbox: a standalone emulator of NHN KCP's stage server.

It is written from ``shared/reference/kcp.md`` (KCP's protocol in our words), not from
homeport's connector, and imports nothing from the rest of homeport: a misreading of KCP
cannot then hide on both sides. Golden samples in ``tests/fixtures/kcp/`` settle disputes.

Entry point: :func:`homeport.sandbox.app.create_sandbox_app`.
"""
