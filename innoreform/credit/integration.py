"""The two places where credit meets the registry app. Keep them small.

- `registry_snapshot()` reads every registered enterprise as a feature table;
  `registry_training_frame()` adds outcome labels from the registry's lists to train on.
- `consent_allows_credit_score()` is the consent hook: the registry app owns consent; credit only
  asks it, through the registry's `consent_allows` selector.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from django.utils.translation import gettext_lazy as _

from innoreform.credit.engine.frame import Frame
from innoreform.registry import selectors as registry_selectors

# Outcomes in the registry that can serve as "bad" when training on the registry snapshot: being
# on the courts' dishonest-debtor list or the market regulator's abnormal-operations list (now).
REGISTRY_LABELS = ("dishonest_debtor", "abnormal_operation")
REGISTRY_ID_COLUMN = "credit_code"

# Purposes under which an institution may read a credit score (registry Purpose values).
SCORE_PURPOSES = ("loan_application", "credit_line", "guarantee", "post_loan")


@dataclass
class Snapshot:
    credit_codes: list[str]
    names: list[str]
    frame: Frame


def _features(enterprises: list, today: date) -> Frame:
    def num(values):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=float)

    def text(values):
        return np.array([None if v in (None, "") else str(v) for v in values], dtype=object)

    idx = {}
    try:
        idx = {pk: float(score) for pk, score in registry_selectors.latest_index_scores(enterprises).items()}
    except Exception:  # noqa: S110 (the index is optional input)
        pass
    return Frame({
        "registered_capital_yuan": num([e.registered_capital_fen / 100 if e.registered_capital_fen else None
                                        for e in enterprises]),
        "age_years": num([(today - e.registered_on).days / 365.25 if e.registered_on else None for e in enterprises]),
        "industry_code": text([e.industry_code[:2] if e.industry_code else None for e in enterprises]),
        "region": text([e.region for e in enterprises]),
        "industry_restricted": num([int(e.industry_restricted) for e in enterprises]),
        "major_incident": num([int(e.major_incident) for e in enterprises]),
        "customs_credit_rating": text([e.customs_credit_rating for e in enterprises]),
        "innovation_index": num([idx.get(e.pk) for e in enterprises]),
    })


# What each registry column means, for reason codes shown to banks and enterprises.
FEATURE_LABELS = {
    "registered_capital_yuan": _("Registered capital"),
    "age_years": _("Years since registration"),
    "industry_code": _("Industry (GB/T 4754 division)"),
    "region": _("Region"),
    "industry_restricted": _("In a restricted industry"),
    "major_incident": _("Major safety or environmental incident"),
    "customs_credit_rating": _("Customs credit rating"),
    "innovation_index": _("Innovation capability index"),
}


def feature_label(name: str) -> str:
    """The column's label when it is a registry column; an uploaded file's own column name otherwise."""
    label = FEATURE_LABELS.get(name)
    return str(label) if label is not None else name


def registry_feature_names() -> list[str]:
    """The columns a registry snapshot offers a model."""
    return _features([], date.today()).names


def registry_snapshot(credit_codes: list[str] | None = None) -> Snapshot:
    """Every registered enterprise (or the given ones) as a feature table, in credit-code order."""
    enterprises = list(registry_selectors.enterprises_by_credit_code(credit_codes))
    from django.utils import timezone

    return Snapshot([e.credit_code for e in enterprises], [e.name for e in enterprises],
                    _features(enterprises, timezone.localdate()))


def consent_allows_credit_score(*, institution_id: int | None, credit_code: str, purpose: str) -> bool:
    """CONSENT HOOK: may this institution read this enterprise's credit score for this purpose?

    True only with a valid (unrevoked, unexpired) registry grant to the institution for the purpose.
    """
    if institution_id is None or purpose not in SCORE_PURPOSES:
        return False
    return registry_selectors.consent_allows(institution_id=institution_id, credit_code=credit_code, purpose=purpose)


def registry_training_frame() -> Frame:
    """The registry snapshot with its credit codes and 0/1 outcome labels (REGISTRY_LABELS), for
    training; the labels are never features of a model trained on one of them (the caller
    excludes the others)."""
    snap = registry_snapshot()
    columns = {REGISTRY_ID_COLUMN: np.array(snap.credit_codes, dtype=object), **snap.frame.columns}
    if snap.credit_codes:
        from django.utils import timezone

        listed = registry_selectors.listed_credit_codes(on=timezone.localdate())
        for label in REGISTRY_LABELS:
            columns[label] = np.array([float(c in listed[label]) for c in snap.credit_codes])
    return Frame(columns, set(snap.frame.nominal) | {REGISTRY_ID_COLUMN}, list(snap.frame.warnings))
