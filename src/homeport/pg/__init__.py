"""PG connectors: the only place homeport talks to a payment gateway (``base.PgConnector``)."""

from pathlib import Path

#: Templates the connectors ship for homeport's pages (the PG's browser glue, e.g. KCP's
#: ``m_Completepayment``), named by ``base.PcWindow.host_script``.
TEMPLATE_DIRS = (Path(__file__).parent / "kcp" / "templates",)
