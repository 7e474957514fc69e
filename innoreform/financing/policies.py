"""Financing policy records (versioned parameters); who may do what is in permissions.py.

Policy keys (defaults are shipped figures; staff change them by proposing a new version that
another person approves, through innoreform.core.services.policy_propose / policy_decide):

- financing.classification: overdue-day floors of the five categories and the default trigger.
- financing.matching: weights of the ranking score.
- financing.collective_credit: the default loss-sharing vector of a collective credit programme.
- financing.equipment: instrument categories an equipment credit loan may buy; invoice window.
- financing.interest_subsidy: share of interest paid that is subsidised, yearly cap, loan kinds.
"""

from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from innoreform.core import policies_registry

CLASSIFICATION_KEY = "financing.classification"
MATCHING_KEY = "financing.matching"
COLLECTIVE_KEY = "financing.collective_credit"
EQUIPMENT_KEY = "financing.equipment"
SUBSIDY_KEY = "financing.interest_subsidy"


class ClassificationRules(BaseModel):
    """A loan is at least in a category once its oldest unpaid instalment is this many days late."""

    special_mention_after_days: int = Field(ge=0, le=3650)
    substandard_after_days: int = Field(ge=1, le=3650)
    doubtful_after_days: int = Field(ge=1, le=3650)
    loss_after_days: int = Field(ge=1, le=3650)
    default_after_days: int = Field(ge=1, le=3650)

    @model_validator(mode="after")
    def _ordered(self):
        days = [self.special_mention_after_days, self.substandard_after_days, self.doubtful_after_days,
                self.loss_after_days]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("the category thresholds must rise strictly")
        return self


CLASSIFICATION_DEFAULTS = {
    "special_mention_after_days": 0,  # any overdue amount: at least 关注
    "substandard_after_days": 90,  # overdue more than 90 days: at least 次级
    "doubtful_after_days": 270,  # more than 270 days: at least 可疑
    "loss_after_days": 360,  # more than 360 days: 损失
    "default_after_days": 90,  # platform setting: a non-performing loan is a default event
}
CLASSIFICATION_SOURCE = ("《商业银行金融资产风险分类办法》（中国银保监会 中国人民银行令2023年第1号）"
                         "第十一条至第十三条："
                         "逾期超过90天至少次级、超过270天至少可疑、超过360天损失；违约触发天数为平台设置")


class MatchingWeights(BaseModel):
    price: Decimal = Field(ge=0, le=100)
    speed: Decimal = Field(ge=0, le=100)
    margin: Decimal = Field(ge=0, le=100)
    preference: Decimal = Field(ge=0, le=100)
    rate_floor: Decimal = Field(ge=0, le=1)
    rate_cap: Decimal = Field(gt=0, le=1)
    speed_horizon_days: Decimal = Field(gt=0, le=365)

    @model_validator(mode="after")
    def _sane(self):
        if self.price + self.speed + self.margin + self.preference <= 0:
            raise ValueError("at least one weight must be positive")
        if self.rate_cap <= self.rate_floor:
            raise ValueError("rate_cap must be above rate_floor")
        return self


MATCHING_DEFAULTS = {"price": "40", "speed": "20", "margin": "20", "preference": "20", "rate_floor": "0.02",
                     "rate_cap": "0.12", "speed_horizon_days": "30"}


class LossSharing(BaseModel):
    bank: Decimal = Field(ge=0, le=100)
    guarantor: Decimal = Field(ge=0, le=100)
    insurer: Decimal = Field(ge=0, le=100)
    public: Decimal = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _hundred(self):
        if self.bank + self.guarantor + self.insurer + self.public != 100:
            raise ValueError("the loss-sharing vector must sum to 100")
        return self


class CollectiveCreditRules(BaseModel):
    loss_sharing: LossSharing


COLLECTIVE_DEFAULTS = {"loss_sharing": {"bank": "20", "guarantor": "50", "insurer": "10", "public": "20"}}


class EquipmentRules(BaseModel):
    categories: list[str] = Field(min_length=1)
    invoice_days_before_contract: int = Field(ge=0, le=365)
    invoice_days_after_disbursement: int = Field(ge=0, le=365)


EQUIPMENT_DEFAULTS = {
    # Instrument classes after the large research-instrument classification (大型科研仪器分类).
    "categories": ["analytical_instrument", "physical_property_tester", "measuring_instrument",
                   "electronic_tester", "medical_research_instrument", "laboratory_equipment",
                   "production_equipment", "special_test_equipment"],
    "invoice_days_before_contract": 90,
    "invoice_days_after_disbursement": 90,
}


class SubsidyRules(BaseModel):
    share_percent: Decimal = Field(gt=0, le=100)
    yearly_cap_fen: int = Field(gt=0)
    loan_kinds: list[str] = Field(min_length=1)
    programme_loans_only: bool = False


SUBSIDY_DEFAULTS = {"share_percent": "50", "yearly_cap_fen": 1_000_000 * 100,
                    "loan_kinds": ["standard", "ip_pledge", "equipment", "investment_linked", "with_warrants"],
                    "programme_loans_only": False}


def register_policies() -> None:
    policies_registry.register(key=CLASSIFICATION_KEY, schema=ClassificationRules, defaults=CLASSIFICATION_DEFAULTS,
                               title="贷款五级分类与违约认定", source=CLASSIFICATION_SOURCE)
    policies_registry.register(key=MATCHING_KEY, schema=MatchingWeights, defaults=MATCHING_DEFAULTS,
                               title="融资需求与产品匹配排序权重", source="平台设置")
    policies_registry.register(key=COLLECTIVE_KEY, schema=CollectiveCreditRules, defaults=COLLECTIVE_DEFAULTS,
                               title="政银保集合授信损失分担", source="平台设置（各项目可另定，需合计100%）")
    policies_registry.register(key=EQUIPMENT_KEY, schema=EquipmentRules, defaults=EQUIPMENT_DEFAULTS,
                               title="仪器设备信用贷用途与发票核验", source="平台设置")
    policies_registry.register(key=SUBSIDY_KEY, schema=SubsidyRules, defaults=SUBSIDY_DEFAULTS,
                               title="科技信贷贴息", source="平台设置（按季度、按实付利息比例）")
