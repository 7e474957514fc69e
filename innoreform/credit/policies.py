"""Who may do what in credit: a table over (organisation kind, minimum role), like core's; and the
credit policy parameters (versioned policy records, changed by maker-checker in core)."""

from pydantic import BaseModel, Field

from innoreform.core import policies_registry
from innoreform.core.models import FINANCIAL_KINDS, OrgKind, Role
from innoreform.core.policies import OperationTable

OVERSIGHT = frozenset({OrgKind.DEPARTMENT, OrgKind.PLATFORM_OPERATOR})

TABLE: dict[str, tuple[frozenset, str]] = {
    "credit.model_view": (OVERSIGHT, Role.MEMBER),
    "credit.model_submit": (OVERSIGHT, Role.REVIEWER),
    "credit.model_approve": (OVERSIGHT, Role.APPROVER),
    "credit.score_registry": (OVERSIGHT, Role.REVIEWER),
    "credit.bank_score": (frozenset(FINANCIAL_KINDS), Role.MEMBER),
}


_table = OperationTable(TABLE)
allowed = _table.allowed
can = _table.can


def can_use_whole_registry(actor) -> bool:
    """Scoring every registered enterprise, or training on the registry snapshot, reads every
    city's firms; a city department's reads stop at its city, so only province-level oversight
    (and the system) may start such a run."""
    return actor.city_limit is None


# --- policy parameters -----------------------------------------------------------------------------

DRIFT_KEY = "credit.drift"
# Industry convention for the population stability index (Siddiqi, "Credit Risk Scorecards", 2006):
# below 0.1 stable, 0.1 to 0.25 worth watching, above 0.25 a significant shift.
PSI_HELP = "PSI < 0.1 稳定；0.1–0.25 需关注；> 0.25 显著偏移并告警（行业惯例，Siddiqi 2006）"


class DriftRules(BaseModel):
    psi_alert: float = Field(gt=0, le=5, description=PSI_HELP)


DRIFT_DEFAULTS = {"psi_alert": 0.25}


def register_policies() -> None:
    policies_registry.register(key=DRIFT_KEY, schema=DriftRules, defaults=DRIFT_DEFAULTS,
                               title="信用评分漂移告警阈值（PSI）", source=PSI_HELP)
