"""Portal API (/api/v1) and bank/institution API (/api/bank/v1) operations for registry."""

from ninja import Router

router = Router(tags=["registry"])
bank_router = Router(tags=["registry"])
