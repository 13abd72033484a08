"""FastAPI dependencies shared by the route modules."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from homeport.api.auth import current_merchant, get_services
from homeport.api.body import Body, request_body
from homeport.domain.merchants.models import Merchant
from homeport.services import Services

ServicesDep = Annotated[Services, Depends(get_services)]
Authenticated = Annotated[Merchant, Depends(current_merchant)]
BodyDep = Annotated[Body, Depends(request_body)]
