"""Portal API (/api/v1) and bank/institution API (/api/bank/v1) operations for ledger."""

from ninja import Router

router = Router(tags=["ledger"])
bank_router = Router(tags=["ledger"])
