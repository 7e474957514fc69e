"""Portal API (/api/v1) and bank/institution API (/api/bank/v1) operations for patents."""

from ninja import Router

router = Router(tags=["patents"])
bank_router = Router(tags=["patents"])
