"""The two places where credit meets the registry app (built separately). Keep them small.

- `registry_snapshot()` reads every registered enterprise as a feature table.
- `consent_allows_credit_score()` is the consent hook: the registry app owns consent; credit only
  asks it. Until the registry exposes a dedicated check, this reads its ConsentGrant rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from innoreform.credit.engine.frame import Frame

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
        from innoreform.registry import models as rm

        for s in rm.IndexScore.objects.filter(enterprise__in=enterprises).order_by("enterprise_id", "year"):
            idx[s.enterprise_id] = float(s.score)  # the latest year wins
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


def registry_snapshot(credit_codes: list[str] | None = None) -> Snapshot:
    """Every registered enterprise (or the given ones) as a feature table, in credit-code order."""
    try:
        from innoreform.registry import models as rm
    except ImportError:
        return Snapshot([], [], Frame({}))
    qs = rm.Enterprise.objects.order_by("credit_code")
    if credit_codes is not None:
        qs = qs.filter(credit_code__in=credit_codes)
    enterprises = list(qs)
    from django.utils import timezone

    return Snapshot([e.credit_code for e in enterprises], [e.name for e in enterprises],
                    _features(enterprises, timezone.localdate()))


def consent_allows_credit_score(*, institution_id: int | None, credit_code: str, purpose: str) -> bool:
    """CONSENT HOOK: may this institution read this enterprise's credit score for this purpose?

    True only with a valid (unrevoked, unexpired) registry grant to the institution for the purpose.
    Replace the body with the registry app's own check when it offers one.
    """
    if institution_id is None or purpose not in SCORE_PURPOSES:
        return False
    try:
        from innoreform.registry import models as rm
        from innoreform.registry.selectors import grant_is_valid
    except ImportError:
        return False
    grants = rm.ConsentGrant.objects.filter(institution_id=institution_id, enterprise__credit_code=credit_code,
                                            purpose=purpose, revoked_at__isnull=True)
    return any(grant_is_valid(g) for g in grants)
