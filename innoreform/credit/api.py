"""Portal API (/api/v1) and bank/institution API (/api/bank/v1) operations for credit."""

from ninja import Router

router = Router(tags=["credit"])
bank_router = Router(tags=["credit"])
