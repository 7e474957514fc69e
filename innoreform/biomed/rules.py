"""Risk levels A–D as a versioned policy record (customs re-levels items: a change is a new
version, proposed by one person and approved by another through core's policy pages). Each
application stores the version and the rule that levelled it.

Shipped defaults are the brief's figures (§1.9): A (class 1–2 pathogens, inbound tissue or blood,
human genetic resources): approval by the customs authority, single use, 3 months; B (class 3 or
unknown pathogens, toxins, crude proteins): risk assessment, 6 months, batches written off; C
(class 4 microbes, commercial cell lines, purified proteins): decided directly, multiple use
within 12 months; D (products already approved as drugs): approval checked, multiple use within
12 months. A and B are high risk and followed up after entry. The attachments each level needs
and the follow-up periods are platform settings (no public figure), editable like the rest.
"""

from dataclasses import dataclass

from pydantic import BaseModel, Field, model_validator

from innoreform.core import policies_registry

from .models import AttachmentKind, Category, Level, Material, PathogenClass

POLICY_KEY = "biomed.levels"


class Route:
    AUTHORITY = "authority"  # the customs authority approves after a risk assessment
    ASSESSMENT = "assessment"  # the direct customs office assesses and decides
    DIRECT = "direct"  # decided directly by the rule
    APPROVAL_CHECK = "approval_check"  # decided once the approval the product holds is checked


ROUTES = (Route.AUTHORITY, Route.ASSESSMENT, Route.DIRECT, Route.APPROVAL_CHECK)
AUTOMATIC_ROUTES = (Route.DIRECT, Route.APPROVAL_CHECK)


class LevelRule(BaseModel):
    route: str = Field(pattern="^(authority|assessment|direct|approval_check)$")
    single_use: bool
    validity_months: int = Field(ge=1, le=36)
    follow_up: bool
    attachments: list[str]

    @model_validator(mode="after")
    def _check(self):
        unknown = set(self.attachments) - set(AttachmentKind.values)
        if unknown:
            raise ValueError(f"unknown attachment kinds: {sorted(unknown)}")
        return self

    @property
    def assessment(self) -> bool:
        return self.route not in AUTOMATIC_ROUTES


class ClassRule(BaseModel):
    """Items matching every non-empty list get `level`; the first matching rule wins."""

    key: str = Field(min_length=1, max_length=64)
    level: str = Field(pattern="^[ABCD]$")
    categories: list[str] = []
    pathogen_classes: list[str] = []
    materials: list[str] = []
    text: str = Field(min_length=1, max_length=300)

    @model_validator(mode="after")
    def _check(self):
        for values, allowed in ((self.categories, Category.values), (self.pathogen_classes, PathogenClass.values),
                                (self.materials, Material.values)):
            unknown = set(values) - set(allowed)
            if unknown:
                raise ValueError(f"unknown values: {sorted(unknown)}")
        return self

    def matches(self, *, category: str, pathogen_class: str, material: str) -> bool:
        return ((not self.categories or category in self.categories)
                and (not self.pathogen_classes or pathogen_class in self.pathogen_classes)
                and (not self.materials or material in self.materials))


class FollowUpDays(BaseModel):
    storage: int = Field(30, ge=1, le=365, description="Days after entry for the storage check.")
    use: int = Field(90, ge=1, le=730, description="Days after entry for the report of use.")
    disposal: int = Field(30, ge=0, le=365, description="Days after the approval's validity for disposal.")


class LevelParams(BaseModel):
    levels: dict[str, LevelRule]
    classification: list[ClassRule] = Field(min_length=1)
    default_level: str = Field("B", pattern="^[ABCD]$", description="Items no rule matches: assessed.")
    follow_up_days: FollowUpDays = FollowUpDays()

    @model_validator(mode="after")
    def _check(self):
        if set(self.levels) != set(Level.values):
            raise ValueError("every level A, B, C and D needs its rule")
        keys = [r.key for r in self.classification]
        if len(keys) != len(set(keys)):
            raise ValueError("classification rule keys must be unique")
        return self


DEFAULTS = {
    "levels": {
        "A": {"route": Route.AUTHORITY, "single_use": True, "validity_months": 3, "follow_up": True,
              "attachments": [AttachmentKind.DESCRIPTION, AttachmentKind.BIOSAFETY, AttachmentKind.LAB_RECORD,
                              AttachmentKind.PATHOGEN_PERMIT]},
        "B": {"route": Route.ASSESSMENT, "single_use": False, "validity_months": 6, "follow_up": True,
              "attachments": [AttachmentKind.DESCRIPTION, AttachmentKind.BIOSAFETY, AttachmentKind.LAB_RECORD]},
        "C": {"route": Route.DIRECT, "single_use": False, "validity_months": 12, "follow_up": False,
              "attachments": [AttachmentKind.DESCRIPTION, AttachmentKind.USE_STATEMENT]},
        "D": {"route": Route.APPROVAL_CHECK, "single_use": False, "validity_months": 12, "follow_up": False,
              "attachments": [AttachmentKind.DRUG_REGISTRATION]},
    },
    "classification": [
        {"key": "a_pathogen_1_2", "level": "A", "pathogen_classes": ["1", "2"],
         "text": "第一、二类病原微生物 / Class 1–2 pathogens"},
        {"key": "a_tissue_blood", "level": "A", "categories": ["human_tissue", "blood"],
         "materials": ["tissue", "blood"], "text": "入境人体组织、血液 / Inbound human tissue or blood"},
        {"key": "a_genetic", "level": "A", "materials": ["genetic_resource"],
         "text": "人类遗传资源 / Human genetic resources"},
        {"key": "d_approved_drug", "level": "D", "materials": ["approved_drug"],
         "text": "已取得药品注册的产品 / Products already approved as drugs"},
        {"key": "b_pathogen_3_unknown", "level": "B", "pathogen_classes": ["3", "unknown"],
         "text": "第三类或致病性未知的病原微生物 / Class 3 or unknown pathogens"},
        {"key": "b_toxin_crude", "level": "B", "materials": ["toxin", "crude_protein"],
         "text": "毒素、粗提蛋白 / Toxins, crude proteins"},
        {"key": "c_pathogen_4", "level": "C", "categories": ["microorganism"], "pathogen_classes": ["4", "none"],
         "text": "第四类微生物 / Class 4 microorganisms"},
        {"key": "c_cell_protein", "level": "C", "materials": ["cell_line", "purified_protein"],
         "text": "商品化细胞系、纯化蛋白 / Commercial cell lines, purified proteins"},
    ],
    "default_level": "B",
    "follow_up_days": {"storage": 30, "use": 90, "disposal": 30},
}
SOURCE = ("海关特殊物品风险分级（A级：一、二类病原微生物、入境人体组织和血液、人类遗传资源，审批单次有效3个月；"
          "B级：三类或未知病原、毒素、粗提蛋白，风险评估，6个月分批核销；C级：四类微生物、商品化细胞系、纯化蛋白，"
          "直接审批，12个月多次使用；D级：已取得药品注册的产品，核查批件，12个月多次使用；A、B级入境后监管）；"
          "附件清单与后续监管期限为平台设置")


def register_policy() -> None:
    policies_registry.register(key=POLICY_KEY, schema=LevelParams, defaults=DEFAULTS,
                               title="特殊物品风险分级 / Special-goods risk levels", source=SOURCE)


@dataclass(frozen=True)
class Levelling:
    level: str
    rule_key: str  # "" when the default level applied
    rule_text: str


def level_of(params: LevelParams, *, category: str, pathogen_class: str, material: str) -> Levelling:
    """Pure: the first classification rule the item matches, or the default level."""
    for rule in params.classification:
        if rule.matches(category=category, pathogen_class=pathogen_class, material=material):
            return Levelling(rule.level, rule.key, rule.text)
    return Levelling(params.default_level, "", "")


def add_months(day, months: int):
    """The same day `months` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
