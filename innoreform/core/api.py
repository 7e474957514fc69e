"""Core API operations: who am I, organisations, API keys, policies, notifications, jobs."""

from ninja import Router

router = Router(tags=["core"])
bank_router = Router(tags=["institution"])
