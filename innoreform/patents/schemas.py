from datetime import date
from typing import Any, Literal

from ninja import Field, Schema

from innoreform.core.api_support import Name
from innoreform.core.regions import GUANGDONG_CITIES


class DatasetOut(Schema):
    id: int
    name: str
    status: str
    patents: int
    rows_read: int
    rows_rejected: int
    rows_with_warnings: int
    data_version: str
    cutoff_date: date | None
    job_id: str | None


class IndustryOut(Schema):
    code: str
    name_zh: str
    name_en: str


class LandscapeOut(Schema):
    industry: str
    rules_version: int
    data_version: str
    cutoff_date: str
    last_complete_year: int
    landscape: dict[str, Any]


class TopicPageOut(Schema):
    total: int
    rows: list[dict[str, Any]]


GuangdongCityOrBlank = Literal["", *sorted(GUANGDONG_CITIES)]  # GB/T 2260 code of a Guangdong city


class AliasIn(Schema):
    alias: Name = Field(..., min_length=1, max_length=300)
    canonical: Name = Field(..., min_length=1, max_length=300)
    kind: Literal["", "enterprise", "university", "institute", "individual", "other"] = ""
    city: GuangdongCityOrBlank = ""


class AliasOut(Schema):
    id: int
    alias: str
    canonical: str
    kind: str
    city: str


class IndustryRuleIn(Schema):
    industry: str = Field(..., min_length=1, max_length=40)
    industry_zh: str = Field(..., max_length=100)
    industry_en: str = Field(..., max_length=100)
    segment: str = Field(..., min_length=1, max_length=40)
    segment_zh: str = Field(..., max_length=100)
    segment_en: str = Field(..., max_length=100)
    position: str = Field(..., max_length=10)
    include: str = Field("", max_length=5000)
    exclude: str = Field("", max_length=5000)
    keywords: str = Field("", max_length=5000)
    note: str = Field("", max_length=300)


class RuleOut(IndustryRuleIn):
    id: int


class RuleSetOut(Schema):
    version: int
    status: str
    note: str
    rules: list[RuleOut]
