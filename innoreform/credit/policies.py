"""Credit policy parameters (versioned policy records, changed by maker-checker in core); who may
do what is in permissions.py."""

from pydantic import BaseModel, Field

from innoreform.core import policies_registry

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
