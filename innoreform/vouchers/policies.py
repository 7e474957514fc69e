"""The voucher scheme's parameters (a versioned policy record); who may do what is in permissions.py.

Shipped defaults are real schemes' figures from the brief (§1.1): voucher share 40–70% of a fee
(Shanghai 50%), per-enterprise annual cap 0.5 M yuan (Shanghai), a cap across one actual
controller's group of 0.65 M yuan (Liaocheng), institutions need two years of operation and a
7-day public notice (Shanghai), payments monthly or quarterly. The province/city split and the
price-anomaly factor are platform settings (no public figure), editable like the rest.
"""

from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from innoreform.core import policies_registry
from innoreform.core.regions import RegionGroup

POLICY_KEY = "vouchers.scheme"


class Flow:
    TONGDUI = "tongdui"  # the institution deducts the voucher share; Guangdong pays the institution
    TONGYONG = "tongyong"  # the enterprise pays in full; Guangdong reimburses the enterprise


class Cadence:
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


CATEGORIES = ("testing", "design", "rd_outsourcing", "technology_transfer", "ip_services", "consulting",
              "large_instruments")


class SchemeParams(BaseModel):
    # Eligible enterprises
    require_tech_sme: bool = Field(True, description="Only registered 科技型中小企业 (listed in the registry).")
    max_staff: int = Field(500, ge=1)
    max_sales_fen: int = Field(200_000_000_00, ge=0, description="Annual sales ceiling (fen).")
    # Services
    eligible_categories: list[str] = Field(min_length=1)
    eligible_regions: list[str] = Field(min_length=1, description="Region groups of eligible institutions.")
    # Money
    voucher_share: Decimal = Field(Decimal("0.50"), gt=0, le=1, description="Share of a fee a voucher covers.")
    annual_cap_fen: int = Field(50_000_000, gt=0, description="Per enterprise and year (fen).")
    group_cap_fen: int = Field(65_000_000, gt=0, description="Across one actual controller's group per year.")
    validity_days: int = Field(365, ge=1, le=3650)
    city_share: Decimal = Field(Decimal("0.50"), ge=0, le=1, description="The enterprise's city's share.")
    flow: str = Field(Flow.TONGDUI, pattern="^(tongdui|tongyong)$")
    cadence: str = Field(Cadence.QUARTERLY, pattern="^(monthly|quarterly)$")
    # Institutions
    institution_min_years: int = Field(2, ge=0, le=50)
    notice_days: int = Field(7, ge=1, le=90)
    # Fraud controls
    price_anomaly_factor: Decimal = Field(Decimal("1.50"), gt=1, le=10)
    claim_grace_days: int = Field(90, ge=0, le=365, description="Days after expiry a used voucher may be claimed.")

    @model_validator(mode="after")
    def _check(self):
        unknown = set(self.eligible_categories) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories: {sorted(unknown)}")
        bad = set(self.eligible_regions) - set(RegionGroup.values)
        if bad:
            raise ValueError(f"unknown region groups: {sorted(bad)}")
        if self.group_cap_fen < self.annual_cap_fen:
            raise ValueError("the group cap cannot be below the per-enterprise cap")
        return self


DEFAULTS = {
    "require_tech_sme": True,
    "max_staff": 500,
    "max_sales_fen": 200_000_000_00,
    "eligible_categories": list(CATEGORIES),
    "eligible_regions": list(RegionGroup.values),
    "voucher_share": "0.50",
    "annual_cap_fen": 50_000_000,
    "group_cap_fen": 65_000_000,
    "validity_days": 365,
    "city_share": "0.50",
    "flow": Flow.TONGDUI,
    "cadence": Cadence.QUARTERLY,
    "institution_min_years": 2,
    "notice_days": 7,
    "price_anomaly_factor": "1.50",
    "claim_grace_days": 90,
}
SOURCE = ("上海科技创新券（50%，年度上限50万元，机构运营满2年、公示7天）；聊城创新券（同一实际控制人上限65万元）；"
          "各地创新券比例40%–70%，按月或按季兑付；省市分担比例与价格异常倍数为平台设置")


def register_policy() -> None:
    policies_registry.register(key=POLICY_KEY, schema=SchemeParams, defaults=DEFAULTS,
                               title="科技创新券 通用通兑", source=SOURCE)
