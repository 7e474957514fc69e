from datetime import date
from typing import Any

from ninja import Schema


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


class AliasIn(Schema):
    alias: str
    canonical: str
    kind: str = ""
    city: str = ""


class AliasOut(Schema):
    id: int
    alias: str
    canonical: str
    kind: str
    city: str


class RuleIn(Schema):
    industry: str
    industry_zh: str
    industry_en: str
    segment: str
    segment_zh: str
    segment_en: str
    position: str
    include: str = ""
    exclude: str = ""
    keywords: str = ""
    note: str = ""


class RuleOut(RuleIn):
    id: int


class RuleSetOut(Schema):
    version: int
    status: str
    note: str
    rules: list[RuleOut]
