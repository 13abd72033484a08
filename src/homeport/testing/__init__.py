"""Test helpers shipped with homeport, for homeport's own tests and for anyone writing a PG connector.

- :mod:`homeport.testing.connector_conformance`: the scenarios every
  :class:`homeport.pg.base.PgConnector` must pass, runnable against the KCP sandbox or a PG's
  real test server.

Nothing here is imported by homeport at run time; it depends on no test framework (a failed
expectation raises :class:`~homeport.testing.connector_conformance.ConformanceError`, an
``AssertionError``), in the manner of ``structlog.testing``.
"""
