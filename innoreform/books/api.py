"""Portal API (/api/v1) and bank/institution API (/api/bank/v1) operations for books."""

from ninja import Router

router = Router(tags=["books"])
bank_router = Router(tags=["books"])
