"""Writes of the financing app, one module per subdomain; every public name is re-exported here, so
`from innoreform.financing import services` reaches them all (other apps use nothing else).

- access: what every write checks first;
- needs, products, applications: the information platform (an enterprise's need, an
  institution's product, an application between them with its data authorisation);
- programmes: collective credit programmes;
- loans: contract, disbursement, repayments, classification, default and recoveries;
- collateral: IP pledges and equipment credit loans;
- investment: investment-linked deals (stakes, warrants, shared screening notes);
- subsidies: quarterly interest subsidies.

Each write: keyword-only, a required actor, one transaction with its audit record (and books
postings, which write their trust-ledger entries, when money moves)."""

from . import loans, subsidies
from .access import require
from .applications import (
    LIVE,
    PURPOSE_BY_KIND,
    application_accept,
    application_decide,
    application_read_data,
    application_report,
    application_submit,
    application_withdraw,
)
from .collateral import equipment_dispose, invoice_checks, invoice_register, ip_pledge
from .investment import (
    loan_link_stake,
    screening_note_add,
    screening_notes,
    stake_record,
    warrant_attach,
    warrant_exercise,
    warrants_expire,
)
from .loans import (
    category_floor,
    classification_rules,
    loan_classify,
    loan_contract,
    loan_default_declare,
    loan_disburse,
    loan_refresh,
    loan_repay,
    loans_refresh_all,
    record_recovery,
    recovery_record,
)
from .needs import need_close, need_publish
from .products import KINDS_BY_ORG, product_create, product_withdraw
from .programmes import (
    programme_activate,
    programme_create,
    programme_credit_line_set,
    programme_member_set,
    programme_select,
)
from .subsidies import quarter_bounds, subsidy_compute, subsidy_decide

__all__ = [
    "KINDS_BY_ORG", "LIVE", "PURPOSE_BY_KIND", "application_accept", "application_decide", "application_read_data",
    "application_report", "application_submit", "application_withdraw", "category_floor", "classification_rules",
    "equipment_dispose", "invoice_checks", "invoice_register", "ip_pledge", "loan_classify", "loan_contract",
    "loan_default_declare", "loan_disburse", "loan_link_stake", "loan_refresh", "loan_repay", "loans",
    "loans_refresh_all", "need_close", "need_publish", "product_create", "product_withdraw", "programme_activate",
    "programme_create", "programme_credit_line_set", "programme_member_set", "programme_select", "quarter_bounds",
    "record_recovery", "recovery_record", "require", "screening_note_add", "screening_notes", "stake_record",
    "subsidies", "subsidy_compute", "subsidy_decide", "warrant_attach", "warrant_exercise", "warrants_expire",
]
