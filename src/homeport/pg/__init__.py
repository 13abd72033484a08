"""PG connectors: the only place homeport talks to a payment gateway (``base.PgConnector``)."""
