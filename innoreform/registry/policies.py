"""Registry policy records (versioned parameters); who may do what is in permissions.py.

Policy keys registered here (defaults are the shipped figures; staff change them by proposing a
new version through innoreform.core.services.policy_propose and another person approving it):

- registry.tech_sme_evaluation: the national 科技型中小企业 evaluation rules (国科发政〔2017〕115号).
- registry.tech_sme_cycle: the annual cycle (update deadline, sampling share, bans).
- registry.innovation_index: the innovation-capability index (技术流) weights and saturation points.
- registry.consent_notice: the notice an enterprise reads before granting data access (PIPL art. 23).
"""

from decimal import Decimal

from pydantic import BaseModel, Field, field_validator, model_validator

from innoreform.core import policies_registry

EVALUATION_KEY = "registry.tech_sme_evaluation"
CYCLE_KEY = "registry.tech_sme_cycle"
INDEX_KEY = "registry.innovation_index"
NOTICE_KEY = "registry.consent_notice"

EVALUATION_SOURCE = "科技部 财政部 国家税务总局《科技型中小企业评价办法》国科发政〔2017〕115号"


class PercentBand(BaseModel):
    """`points` when the ratio is at least `min_percent` (lower bound inclusive)."""

    min_percent: Decimal = Field(ge=0, le=100)
    points: int = Field(ge=0, le=100)

    @field_validator("min_percent")
    @classmethod
    def _two_places(cls, value: Decimal) -> Decimal:
        if value != value.quantize(Decimal("0.01")):
            raise ValueError("at most two decimal places")
        return value


class CountBand(BaseModel):
    min_count: int = Field(ge=0)
    points: int = Field(ge=0, le=100)


def _descending(bands: list, attr: str) -> list:
    values = [getattr(b, attr) for b in bands]
    if values != sorted(values, reverse=True) or len(set(values)) != len(values):
        raise ValueError(f"bands must be strictly descending by {attr}")
    if values and values[-1] != 0:
        raise ValueError(f"the last band must start at {attr}=0")
    points = [b.points for b in bands]
    if points != sorted(points, reverse=True):
        raise ValueError("points must not rise as the bands fall")
    return bands


class TechSmeEvaluationRules(BaseModel):
    # Basic conditions (第六条 (二)): money in fen.
    max_staff: int = Field(ge=1)
    max_sales_fen: int = Field(ge=1)
    max_assets_fen: int = Field(ge=1)
    pass_score: int = Field(ge=0, le=100)
    # Indicator table (附件 评价指标): lower bounds inclusive, highest band first.
    tech_staff_bands: list[PercentBand]
    rd_sales_bands: list[PercentBand]
    rd_cost_bands: list[PercentBand]
    class_one_points: int = Field(ge=0, le=100)
    class_two_bands: list[CountBand]
    class_one_kinds: list[str]
    class_two_kinds: list[str]
    # Direct routes (第七条): look-back window in years including the evaluation year.
    recent_years: int = Field(ge=1, le=20)
    national_award_max_rank: int = Field(ge=1)
    rd_institution_levels: list[str]
    standard_levels: list[str]

    @model_validator(mode="after")
    def _bands_ordered(self):
        _descending(self.tech_staff_bands, "min_percent")
        _descending(self.rd_sales_bands, "min_percent")
        _descending(self.rd_cost_bands, "min_percent")
        _descending(self.class_two_bands, "min_count")
        if set(self.class_one_kinds) & set(self.class_two_kinds):
            raise ValueError("an IP kind cannot be in both classes")
        return self


def _bands(pairs):
    return [{"min_percent": str(p), "points": pts} for p, pts in pairs]


EVALUATION_DEFAULTS = {
    "max_staff": 500,
    "max_sales_fen": 200_000_000 * 100,  # 2 亿元
    "max_assets_fen": 200_000_000 * 100,
    "pass_score": 60,
    "tech_staff_bands": _bands([(30, 20), (25, 16), (20, 12), (15, 8), (10, 4), (0, 0)]),
    "rd_sales_bands": _bands([(6, 50), (5, 40), (4, 30), (3, 20), (2, 10), (0, 0)]),
    "rd_cost_bands": _bands([(30, 50), (25, 40), (20, 30), (15, 20), (10, 10), (0, 0)]),
    "class_one_points": 30,
    "class_two_bands": [{"min_count": c, "points": p} for c, p in ((4, 24), (3, 18), (2, 12), (1, 6), (0, 0))],
    # Class I: invention patent, plant variety, national crop variety, national new drug,
    # first-class protected TCM variety, IC layout design. Class II: utility model, design,
    # software copyright.
    "class_one_kinds": ["invention_patent", "plant_variety", "crop_variety", "new_drug", "protected_tcm",
                        "ic_layout"],
    "class_two_kinds": ["utility_model", "design_patent", "software_copyright"],
    "recent_years": 5,
    "national_award_max_rank": 3,
    "rd_institution_levels": ["national", "provincial"],
    "standard_levels": ["international", "national", "industry"],
}


class TechSmeCycleRules(BaseModel):
    update_deadline_month: int = Field(ge=1, le=12)
    update_deadline_day: int = Field(ge=1, le=31)
    random_sample_percent: Decimal = Field(ge=0, le=100)
    falsification_ban_years: int = Field(ge=0, le=20)
    # Risk cases that always need an on-site check (platform settings; not in the 2017 text).
    data_mismatch_percent: Decimal = Field(ge=0)  # declared vs social-security staff or tax figures
    rd_jump_percent_points: Decimal = Field(ge=0)  # rise of R&D/sales over the year before
    young_enterprise_months: int = Field(ge=0)
    borderline_points: int = Field(ge=0, le=100)  # passed by score within this many points of the mark


CYCLE_DEFAULTS = {
    "update_deadline_month": 3,
    "update_deadline_day": 31,
    "random_sample_percent": "5",
    "falsification_ban_years": 3,
    "data_mismatch_percent": "20",
    "rd_jump_percent_points": "10",
    "young_enterprise_months": 12,
    "borderline_points": 4,
}


class IndexFactor(BaseModel):
    weight: Decimal = Field(ge=0, le=100)
    saturation: Decimal = Field(gt=0)  # the raw value that earns the full weight


class InnovationIndexRules(BaseModel):
    invention_patents: IndexFactor
    citations: IndexFactor
    family_size: IndexFactor
    ipc_breadth: IndexFactor
    other_ip: IndexFactor
    rd_intensity: IndexFactor
    rd_growth: IndexFactor
    tech_staff_share: IndexFactor
    awards: IndexFactor
    qualifications: IndexFactor
    standards: IndexFactor
    award_level_values: dict[str, Decimal]
    qualification_values: dict[str, Decimal]
    standard_level_values: dict[str, Decimal]

    @model_validator(mode="after")
    def _weights_sum_to_100(self):
        total = sum(getattr(self, name).weight for name in INDEX_FACTORS)
        if total != 100:
            raise ValueError(f"factor weights must sum to 100, not {total}")
        return self


INDEX_FACTORS = ("invention_patents", "citations", "family_size", "ipc_breadth", "other_ip", "rd_intensity",
                 "rd_growth", "tech_staff_share", "awards", "qualifications", "standards")

INDEX_DEFAULTS = {
    "invention_patents": {"weight": "25", "saturation": "20"},  # valid invention patents (log scale)
    "citations": {"weight": "6", "saturation": "50"},  # forward citations, all patents (log scale)
    "family_size": {"weight": "4", "saturation": "5"},  # mean family size of patents
    "ipc_breadth": {"weight": "5", "saturation": "8"},  # distinct IPC subclasses
    "other_ip": {"weight": "5", "saturation": "30"},  # utility models, designs, software, layouts (log)
    "rd_intensity": {"weight": "20", "saturation": "10"},  # R&D / sales, percent
    "rd_growth": {"weight": "5", "saturation": "50"},  # R&D growth over the previous year, percent
    "tech_staff_share": {"weight": "15", "saturation": "50"},  # percent of staff
    "awards": {"weight": "5", "saturation": "1"},
    "qualifications": {"weight": "5", "saturation": "1"},
    "standards": {"weight": "5", "saturation": "1"},
    "award_level_values": {"national": "1", "provincial": "0.6", "city": "0.3"},
    "qualification_values": {"high_tech": "0.5", "little_giant": "0.5", "specialised": "0.3",
                             "innovative_sme": "0.2"},
    "standard_level_values": {"international": "1", "national": "1", "industry": "0.7", "local": "0.4",
                              "group": "0.4"},
}


class ConsentNotice(BaseModel):
    text_zh: str = Field(min_length=20)
    text_en: str = Field(min_length=20)


NOTICE_DEFAULTS = {
    "text_zh": (
        "您将授权下列金融机构在授权期限内、为所述目的查询贵企业在本平台的所选类别数据。"
        "数据来源于市场监管、税务、社保、知识产权、科技、法院和海关等部门。"
        "每次查询都会被记录并可在“访问记录”中查看；您可随时撤回授权，撤回后机构的下一次查询即被拒绝，"
        "但撤回不影响撤回前已进行的处理。依据《个人信息保护法》第二十三条取得单独同意。"
    ),
    "text_en": (
        "You authorise the institution named below to read the selected categories of your "
        "enterprise's data on this platform, for the stated purpose, until the stated date. The data "
        "come from market regulation, tax, social security, IP, science, courts and customs. Every "
        "read is recorded and shown in your access history. You may revoke at any time; the "
        "institution's next request is then refused, without affecting processing done before. "
        "Separate consent under PIPL art. 23."
    ),
}


def register_policies() -> None:
    policies_registry.register(key=EVALUATION_KEY, schema=TechSmeEvaluationRules, defaults=EVALUATION_DEFAULTS,
                               title="科技型中小企业评价规则", source=EVALUATION_SOURCE)
    policies_registry.register(
        key=CYCLE_KEY, schema=TechSmeCycleRules, defaults=CYCLE_DEFAULTS, title="科技型中小企业年度评价周期",
        source=EVALUATION_SOURCE + "（每年3月底前更新；撤销当年不得再次申请；造假三年内不得申请）；"
                                   "抽查比例与风险情形为平台设置",
    )
    policies_registry.register(key=INDEX_KEY, schema=InnovationIndexRules, defaults=INDEX_DEFAULTS,
                               title="企业创新能力指数（技术流）", source="InnoReform formula v1 (registry/index.py)")
    policies_registry.register(key=NOTICE_KEY, schema=ConsentNotice, defaults=NOTICE_DEFAULTS,
                               title="数据授权告知书", source="《个人信息保护法》第二十三条")
