"""NHN KCP behind :class:`homeport.pg.base.PgConnector` (kcp.md is the reference).

Modules: :mod:`.environments` (which KCP, by base URL), :mod:`.credentials` (service
certificate, private key, ``kcp_sign_data``), :mod:`.wire` (KCP's request and response
shapes: KCP field names live here and in :mod:`.methods`/:mod:`.codes` only),
:mod:`.methods` (homeport pay methods, cards and banks in KCP's codes), :mod:`.codes`
(``res_cd`` table), :mod:`.client` (HTTP, timeouts, outcome classification) and
:mod:`.connector` (one method per flow).
"""

from __future__ import annotations

from homeport.pg.kcp.client import KcpTimeouts
from homeport.pg.kcp.connector import KcpConnector, connector_for_channel
from homeport.pg.kcp.credentials import KcpCredentials

__all__ = ["KcpConnector", "KcpCredentials", "KcpTimeouts", "connector_for_channel"]
