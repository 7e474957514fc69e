"""Names people read for the machine codes of ledger entry types and audit actions
("registry.data_accessed" -> "企业数据被查询"). The codes stay as they are in the data and the
APIs; pages show these names. An unknown code is shown as it is (the browser crawl reports it in
a Chinese page, which is how a new code gets its name here)."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

EVENTS = {
    # trust-ledger entry types
    "registry.consent_granted": _("Data access authorised"),
    "registry.consent_revoked": _("Data access authorisation revoked"),
    "registry.data_accessed": _("Enterprise data read"),
    "evidence.deposited": _("Evidence deposited"),
    "books.money_moved": _("Money moved"),
    "financing.loan_disbursed": _("Loan disbursed"),
    "financing.loan_repaid": _("Loan repayment"),
    "financing.loan_defaulted": _("Loan default"),
    "financing.recovery_recorded": _("Recovery recorded"),
    "financing.subsidy_approved": _("Interest subsidy approved"),
    "pools.compensation_paid": _("Compensation paid"),
    "pools.contribution_received": _("Pool contribution received"),
    "pools.recovery_returned": _("Recovery returned to the pool"),
    "vouchers.budget_appropriated": _("Voucher budget appropriated"),
    "vouchers.voucher_issued": _("Voucher issued"),
    "vouchers.voucher_used": _("Voucher use recorded"),
    "vouchers.claim_paid": _("Voucher claim paid"),
    "vouchers.batch_paid": _("Settlement batch paid"),
    # background job kinds
    "patents.import": _("Patent data import"),
    "registry.import": _("Enterprise data import"),
    "report.build": _("Report"),
    "credit.score_registry": _("Credit scoring of the registry"),
    "credit.train": _("Credit model training"),
    "credit.score_file": _("Credit scoring of a file"),
    # vouchers and ledger actions
    "vouchers.batch_approved": _("Settlement batch approved"),
    "vouchers.batch_built": _("Settlement batch built"),
    "vouchers.budget_opened": _("Voucher budget opened"),
    "vouchers.claim_fraud_confirmed": _("Voucher claim confirmed as fraud"),
    "vouchers.claim_rejected": _("Voucher claim rejected"),
    "vouchers.institution_reviewed": _("Institution listing reviewed"),
    "vouchers.institution_status_changed": _("Institution status changed"),
    "vouchers.objection_resolved": _("Objection resolved"),
    "vouchers.objection_submitted": _("Objection submitted"),
    "vouchers.order_cancelled": _("Voucher order cancelled"),
    "vouchers.programme_funding_recorded": _("Programme funding recorded"),
    "vouchers.service_withdrawn": _("Service withdrawn"),
    "vouchers.use_voided": _("Voucher use voided"),
    "vouchers.voucher_expired": _("Voucher expired"),
    "ledger.checkpoint_published": _("Checkpoint published"),
    "ledger.evidence_attached": _("Evidence attached"),
    "ledger.evidence_deposited": _("Evidence deposited"),
    "ledger.receipt_issued": _("Evidence receipt issued"),
    "evidence preservation": _("Evidence preservation"),
    # audit actions seen most often
    "auth.login": _("Signed in"),
    "auth.login_failed": _("Failed sign-in"),
    "auth.logout": _("Signed out"),
    "auth.locked_out": _("Account locked after failed sign-ins"),
    "books.account_opened": _("Account opened"),
    "books.transaction_posted": _("Transaction posted"),
    "books.transaction_reversed": _("Transaction reversed"),
    "policy.default_seeded": _("Default policy parameters loaded"),
    "financing.application_submitted": _("Financing application submitted"),
    "financing.application_accepted": _("Financing application accepted"),
    "financing.application_decided": _("Financing application decided"),
    "financing.application_data_read": _("Applicant's authorised data read"),
    "financing.application_reported": _("Financing outcome reported"),
    "financing.loan_contracted": _("Loan contract recorded"),
    "financing.loan_classified": _("Loan classified"),
    "financing.need_published": _("Financing need published"),
    "financing.product_published": _("Financial product published"),
    "financing.programme_created": _("Collective credit programme created"),
    "financing.programme_activated": _("Collective credit programme activated"),
    "pools.claim_filed": _("Compensation claim filed"),
    "pools.claim_reviewed": _("Compensation claim reviewed"),
    "pools.claim_approved": _("Compensation claim approved"),
    "pools.claim_paid": _("Compensation claim paid"),
    "pools.pool_created": _("Risk pool created"),
    "pools.payout_paid": _("Pool payout paid"),
    "registry.import_uploaded": _("Data import uploaded"),
    "registry.import_applied": _("Data import applied"),
    "registry.grant_created": _("Data access authorised"),
    "registry.declaration_submitted": _("Tech-SME declaration submitted"),
    "registry.declaration_reviewed": _("Tech-SME declaration reviewed"),
    "registry.declaration_approved": _("Tech-SME declaration approved"),
    "registry.batch_published": _("Tech-SME list published"),
    "registry.index_recomputed": _("Innovation index recomputed"),
    "vouchers.application_submitted": _("Voucher application submitted"),
    "vouchers.application_approved": _("Voucher application approved"),
    "vouchers.order_created": _("Voucher order placed"),
    "vouchers.claim_submitted": _("Voucher claim submitted"),
    "vouchers.claim_reviewed": _("Voucher claim reviewed"),
    "vouchers.claim_approved": _("Voucher claim approved"),
    "vouchers.institution_applied": _("Service institution applied"),
    "vouchers.institution_listed": _("Service institution listed"),
    "vouchers.service_published": _("Service published"),
    "credit.model_submitted": _("Credit model submitted"),
    "credit.model_approved": _("Credit model approved"),
    "credit.scoring_started": _("Credit scoring started"),
    "credit.scoring_finished": _("Credit scoring finished"),
    "credit.drift_alert": _("Credit score drift alert"),
    "financing.stake_linked": _("Investor stake linked to a loan"),
    "financing.stake_recorded": _("Investor stake recorded"),
    "financing.ip_pledged": _("Patent pledged for a loan"),
    "pools.recovery_flowed_back": _("Recovery flowed back to the pools"),
    "pools.claim_document_added": _("Document added to a compensation claim"),
    "pools.keylist_added": _("Enterprise added to the key list"),
    "pools.loss_ratio_recorded": _("Institution loss ratio recorded"),
    "pools.contribution_recorded": _("Pool contribution recorded"),
    "registry.demo_enterprise_seeded": _("Demo enterprise created"),
    "registry.financing_outcome_reported": _("Financing outcome reported to the registry"),
    "user.language_set": _("Language changed"),
}


def register(labels: dict) -> None:
    """An app names its own audit actions and ledger entry types, from AppConfig.ready()."""
    EVENTS.update(labels)


def event_label(code: str | None) -> str:
    if not code:
        return ""
    label = EVENTS.get(code)
    return str(label) if label is not None else code


def purpose_label(code: str | None) -> str:
    """The name of a data-use purpose (registry consent purposes), looked up through the app
    registry so core does not import another app."""
    if not code:
        return ""
    field = apps.get_model("registry", "ConsentGrant")._meta.get_field("purpose")
    label = dict(field.choices).get(code) or EVENTS.get(code)
    return str(label) if label is not None else code
