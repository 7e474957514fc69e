"""Writes of the vouchers app, one module per subdomain; every public name is re-exported here, so
`from innoreform.vouchers import services` reaches them all.

- access: what every write checks first (permission, the scheme in force, amount bounds);
- budgets: province and city budgets, appropriations, reservations given back;
- applications: eligibility, applications and the voucher issued on approval;
- expiry: vouchers past their date;
- listing: institutions (入库), public notice, objections, status, the service catalogue;
- funding: science-programme funding records (the double-funding rule);
- settlement (vouchers/settlement.py) and use, orders and claims (vouchers/use.py) stay beside
  this package.

Each function: keyword-only, a required actor, one transaction with its audit record (and books
postings, which write their trust-ledger entries, when money moves)."""

from .access import MAX_FEN, check_amount, require, scheme
from .applications import CHECKS, application_decide, application_submit, eligibility, explain
from .budgets import budget_appropriate, budget_get, budget_open, budgets_for, release
from .expiry import cancel_open_orders, vouchers_expire_due
from .funding import programme_funding_record
from .listing import (
    STATUS_MOVES,
    institution_apply,
    institution_review,
    institution_set_status,
    institutions_publish_due,
    objection_resolve,
    objection_submit,
    service_publish,
    service_withdraw,
)

__all__ = [
    "CHECKS", "MAX_FEN", "STATUS_MOVES", "application_decide", "application_submit", "budget_appropriate",
    "budget_get", "budget_open", "budgets_for", "cancel_open_orders", "check_amount", "eligibility", "explain",
    "institution_apply", "institution_review", "institution_set_status", "institutions_publish_due",
    "objection_resolve", "objection_submit", "programme_funding_record", "release", "require", "scheme",
    "service_publish", "service_withdraw", "vouchers_expire_due",
]
