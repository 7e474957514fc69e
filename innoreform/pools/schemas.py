"""API schemas of the pools app (explicit In/Out, amounts in integer fen)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from innoreform.core.api_support import DbId, Fen, Name


class PoolIn(Schema):
    name: Name = Field(min_length=1, max_length=200)
    level: Literal["province", "city", "district", "social_capital"]
    region: str = Field("", max_length=8)
    district: str = Field("", max_length=64)
    leverage_target: Decimal = Field(Decimal(10), ge=1, le=100, max_digits=6, decimal_places=2)
    institution_ids: list[DbId] = Field(default_factory=list, max_length=500)
    programme_ids: list[DbId] = Field(default_factory=list, max_length=500)


class CoverageIn(Schema):
    institution_ids: list[DbId] = Field(default_factory=list, max_length=500)
    programme_ids: list[DbId] = Field(default_factory=list, max_length=500)
    leverage_target: Decimal | None = Field(None, ge=1, le=100, max_digits=6, decimal_places=2)


class PoolOut(Schema):
    id: int
    name: str
    level: str
    region: str
    district: str
    manager_id: int
    status: str
    leverage_target: Decimal
    institution_ids: list[int]
    programme_ids: list[int]
    balance_fen: Fen
    contributed_fen: Fen
    paid_fen: Fen
    returned_fen: Fen
    waiting_fen: Fen
    waiting_items: int
    covered_outstanding_fen: Fen
    leverage: Decimal | None
    books_account_id: int | None


class ContributionIn(Schema):
    amount_fen: Fen = Field(gt=0, le=10**15)
    received_on: date
    contributor_id: DbId | None = None
    note: str = Field("", max_length=300)


class ContributionOut(Schema):
    id: int
    pool_id: int
    contributor_id: int
    amount_fen: Fen
    received_on: date
    note: str
    books_reference: str
    reversed: bool


class ReverseIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class ClaimIn(Schema):
    loan_id: DbId
    mode: Literal["bank_loss", "guarantor_payout"] = "bank_loss"
    loss_fen: Fen | None = Field(None, gt=0, le=10**15)
    statement: str = Field("", max_length=4000)


class InvestorClaimIn(Schema):
    stake_id: DbId
    loss_fen: Fen = Field(gt=0, le=10**15)
    statement: str = Field("", max_length=4000)


class StakeRecoveryIn(Schema):
    amount_fen: Fen = Field(gt=0, le=10**15)
    received_on: date
    note: str = Field("", max_length=300)


class StakeRecoveryOut(Schema):
    id: int
    claim_id: int
    amount_fen: Fen
    received_on: date
    note: str


class KeyListIn(Schema):
    credit_code: str = Field(min_length=1, max_length=18)
    name: Name = Field(min_length=1, max_length=200)
    list_name: Name = Field(min_length=1, max_length=200)


class KeyListOut(Schema):
    id: int
    credit_code: str
    name: str
    list_name: str
    added_by_id: int
    created_at: datetime


class LossRatioIn(Schema):
    institution_id: DbId
    ratio: Decimal = Field(ge=0, le=1, max_digits=7, decimal_places=6)
    as_of: date
    source: str = Field("", max_length=200)


class LossRatioReportOut(Schema):
    id: int
    institution_id: int
    ratio: Decimal
    as_of: date
    source: str
    recorded_by_id: int


class ReviewIn(Schema):
    recommend: bool
    note: str = Field("", max_length=500)


class DecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class LineOut(Schema):
    rule: str
    text: str
    rate: str | None = None
    amount_fen: int | None = None


class LayerOut(Schema):
    level: str
    amount_fen: Fen
    pool_id: int | None = None
    pool: str = ""


class PayoutOut(Schema):
    id: int
    pool_id: int
    level: str
    amount_fen: Fen
    status: str
    books_reference: str
    paid_at: datetime | None


class DocumentOut(Schema):
    id: int
    title: str
    sha256: str
    size: int


class ClaimOut(Schema):
    id: int
    institution_id: int
    loan_id: int
    contract_no: str
    mode: str
    stake_id: int | None
    status: str
    principal_fen: Fen
    loss_fen: Fen
    key_list_firm: bool
    ip_pledge: bool
    central_bank_relending: bool
    loss_ratio: Decimal | None
    loss_ratio_source: str
    sharing_vector: dict | None
    policy_version: int | None
    eligible: bool
    rate: Decimal
    total_fen: Fen
    layers: list[LayerOut]
    lines: list[LineOut]
    payouts: list[PayoutOut]
    documents: list[DocumentOut]
    returned_fen: Fen
    filed_at: datetime
    paid_at: datetime | None


class TrailOut(Schema):
    at: datetime
    action: str
    actor: str
    object_type: str
    object_id: str
    changes: dict


class GroupOut(Schema):
    name: str
    claims: int
    claimed_fen: Fen
    approved_fen: Fen
    paid_fen: Fen
    returned_fen: Fen


class LossRatioOut(Schema):
    institution: str
    ratio: Decimal | None
    source: str
    computed: Decimal | None


class ReportOut(Schema):
    pools: list[PoolOut]
    by_city: list[GroupOut]
    by_institution: list[GroupOut]
    by_programme: list[GroupOut]
    loss_ratios: list[LossRatioOut]


class RunOut(Schema):
    paid: int
    returned_fen: Fen
    waiting: int
