"""Import templates per government data source, and the parse → validate → apply pipeline.

A file is read completely and every row validated first; only a file without a single error is
applied, in one transaction (all or nothing). Applying is an upsert on each template's natural key
that counts created, updated and unchanged rows, so importing the same data again changes
nothing. Services (services.py) wrap this with the upload, audit, content hash and job.

Headers may be the column key (`credit_code`) or its Chinese or English label, so a clerk can
fill in the downloaded template or an export from the source system with renamed headers.
"""

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connections, models, router
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from innoreform.core import credit_code as cc
from innoreform.core import spreadsheets
from innoreform.core.regions import Region

from . import models as m

EXCEL_EPOCH = date(1899, 12, 30)
CHUNK = 2000  # parameters per IN query (SQLite allows 32,766; PostgreSQL 65,535)
MAX_ROWS = 300_000


class FileUnreadable(Exception):
    """The whole file cannot be read (not Excel/CSV, no header, missing columns)."""


# --- columns -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    key: str
    label: object
    kind: str  # code str int yuan date year enum bool percent
    required: bool = True
    choices: type[models.TextChoices] | None = None
    max_length: int = 200
    example: object = ""


@dataclass(frozen=True)
class Template:
    key: str
    source: str
    title: object
    columns: tuple[Col, ...]
    natural_key: tuple[str, ...]
    apply: Callable[[list[dict], dict[str, int]], dict]
    new_enterprises: bool = False  # creates enterprises (market regulation); others need them to exist
    check: Callable[[dict], list[str]] | None = None
    notes: object = ""


SOURCES = {
    "market_regulation": _("Market regulation"),
    "tax": _("Taxation"),
    "social_security": _("Social security"),
    "ip_office": _("Intellectual property office"),
    "science": _("Science and technology department"),
    "courts": _("Courts"),
    "customs": _("Customs"),
}

CODE = Col("credit_code", _("Unified social credit code"), "code", example="91440101MA59XXXXXX")
YEAR = Col("year", _("Year"), "year", example=2023)

# --- cell parsing ------------------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "y", "是", "有", "√"}
_FALSE = {"0", "false", "no", "n", "否", "无", ""}
_CODE_MESSAGES = {
    "length": _("the credit code must have 18 characters"),
    "alphabet": _("the credit code may use digits and capital letters except I, O, Z, S and V"),
    "division": _("characters 3 to 8 of the credit code must be a division code"),
    "check": _("the credit code's check character does not match (GB 32100-2015)"),
}


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[str(value).lower()] = value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                text = str(label).strip().lower()
                lookup[text] = value
                if text.endswith("市") and len(text) > 2:
                    lookup[text[:-1]] = value  # 广州 as well as 广州市
    return lookup


_CHOICE_CACHE: dict[type, dict[str, str]] = {}


def parse_cell(col: Col, raw) -> object:
    """The parsed value, None when empty, or raise ValueError with a translated message."""
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "":
        if col.required:
            raise ValueError(gettext("required"))
        return None
    kind = col.kind
    if kind == "code":
        try:
            return cc.validate(str(raw))
        except cc.CreditCodeError as exc:
            raise ValueError(str(_CODE_MESSAGES[exc.reason])) from exc
    if kind == "str":
        text = str(raw)
        if len(text) > col.max_length:
            raise ValueError(gettext("longer than %(n)s characters") % {"n": col.max_length})
        return text
    if kind in ("int", "year"):
        value = _number(raw)
        if value != value.to_integral_value():
            raise ValueError(gettext("must be a whole number"))
        value = int(value)
        if kind == "year":
            if not 1980 <= value <= timezone.localdate().year + 1:
                raise ValueError(gettext("not a plausible year"))
        elif value < 0:
            raise ValueError(gettext("cannot be negative"))
        elif value > 10**9:
            raise ValueError(gettext("implausibly large"))
        return value
    if kind == "yuan":
        value = _number(raw)
        if value < 0:
            raise ValueError(gettext("cannot be negative"))
        fen = value * 100
        if fen != fen.to_integral_value():
            raise ValueError(gettext("at most two decimal places (fen)"))
        if fen > 10**17:
            raise ValueError(gettext("implausibly large"))
        return int(fen)
    if kind == "percent":
        value = _number(raw)
        if not 0 <= value <= 100:
            raise ValueError(gettext("must be between 0 and 100"))
        return value.quantize(Decimal("0.0001"))
    if kind == "date":
        return _date(raw)
    if kind == "bool":
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(gettext("must be yes or no"))
    if kind == "enum":
        lookup = _CHOICE_CACHE.get(col.choices)
        if lookup is None:
            lookup = _CHOICE_CACHE[col.choices] = _choice_lookup(col.choices)
        value = lookup.get(str(raw).strip().lower())
        if value is None:
            raise ValueError(gettext("unknown value; use one of: %(values)s")
                             % {"values": ", ".join(str(v) for v in col.choices.values)})
        return value
    raise AssertionError(kind)


def _number(raw) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(gettext("not a number"))
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    try:
        value = Decimal(str(raw).replace(",", "").replace("，", ""))
    except InvalidOperation as exc:
        raise ValueError(gettext("not a number")) from exc
    if not value.is_finite():
        raise ValueError(gettext("not a number"))
    return value


def _date(raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        # An Excel date serial (days since 1899-12-30, the 1900 date system)
        if not 1 <= raw < 2958466:
            raise ValueError(gettext("not a date (use YYYY-MM-DD)"))
        return EXCEL_EPOCH + timedelta(days=int(raw))
    text = str(raw).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(gettext("not a date (use YYYY-MM-DD)"))


# --- cross-field checks ------------------------------------------------------------------------------


def _check_tax(row: dict) -> list[str]:
    if row.get("rd_expense_fen") is not None and row.get("total_cost_fen") is not None \
            and row["rd_expense_fen"] > row["total_cost_fen"]:
        return [gettext("R&D expense cannot exceed total cost")]
    return []


def _check_staff(row: dict) -> list[str]:
    if row.get("tech_staff") is not None and row.get("staff_total") is not None \
            and row["tech_staff"] > row["staff_total"]:
        return [gettext("technical staff cannot exceed total staff")]
    return []


def _check_period(start: str, end: str) -> Callable[[dict], list[str]]:
    def check(row: dict) -> list[str]:
        if row.get(start) and row.get(end) and row[end] < row[start]:
            return [gettext("%(end)s is before %(start)s") % {"end": end, "start": start}]
        return []

    return check


def _check_not_future(name: str) -> Callable[[dict], list[str]]:
    def check(row: dict) -> list[str]:
        if row.get(name) and row[name] > timezone.localdate():
            return [gettext("%(name)s is in the future") % {"name": name}]
        return []

    return check


def _checks(*fns) -> Callable[[dict], list[str]]:
    def check(row: dict) -> list[str]:
        return [msg for fn in fns for msg in fn(row)]

    return check


# --- apply (upsert) ----------------------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def upsert(model: type[models.Model], key_fields: tuple[str, ...], rows: list[dict],
           scope_field: str = "enterprise_id") -> dict:
    """Create or update `rows` (model attribute values) matched on `key_fields`.

    Rows equal to what is stored count as unchanged and are not written. Writes are batched
    parameterised INSERT and UPDATE statements (executemany): Django's bulk_create/bulk_update
    spent most of an import building SQL."""
    if not rows:
        return {"created": 0, "updated": 0, "unchanged": 0}
    fields = sorted({f for row in rows for f in row})
    lookup_fields = sorted(set(fields) | set(key_fields))
    scope_values = sorted({row[scope_field] for row in rows})
    existing: dict[tuple, dict] = {}
    for chunk in _chunks(scope_values):
        for stored in model.objects.filter(**{f"{scope_field}__in": chunk}).values("pk", *lookup_fields):
            existing[tuple(stored[f] for f in key_fields)] = stored
    to_create, to_update = [], []
    for row in rows:
        stored = existing.get(tuple(row[f] for f in key_fields))
        if stored is None:
            to_create.append(row)
        elif any(stored[f] != v for f, v in row.items()):
            to_update.append((stored["pk"], row))
    fast_insert(model, to_create)
    fast_update(model, to_update)
    return {"created": len(to_create), "updated": len(to_update),
            "unchanged": len(rows) - len(to_create) - len(to_update)}


def _concrete(model: type[models.Model]) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


# Field types whose Python values sqlite3 and psycopg take as they are (no get_db_prep_save):
# text, integers, booleans, foreign keys. Dates, datetimes, decimals and JSON still go through
# the field (time zones, decimal quantisation, JSON encoding).
_NATIVE = frozenset({"CharField", "TextField", "IntegerField", "BigIntegerField", "PositiveIntegerField",
                     "PositiveSmallIntegerField", "SmallIntegerField", "BooleanField", "ForeignKey",
                     "OneToOneField"})


def _prep(field, conn):
    if field.get_internal_type() in _NATIVE:
        return None
    return lambda value: field.get_db_prep_save(value, conn)


def fast_insert(model: type[models.Model], rows: list[dict], batch: int = 5000) -> None:
    """INSERT rows (dicts of attribute values); missing fields get their defaults, auto_now
    fields the current time. Values go through each field's get_db_prep_save."""
    if not rows:
        return
    conn = connections[router.db_for_write(model)]
    fields = _concrete(model)
    now = timezone.now()
    columns = ", ".join(conn.ops.quote_name(f.column) for f in fields)
    sql = (f"INSERT INTO {conn.ops.quote_name(model._meta.db_table)} ({columns}) "  # noqa: S608 - names quoted
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()  # "" for text fields, None for nullable ones
    preps = []
    for f in fields:
        prep = _prep(f, conn)
        default = defaults[f.attname]
        preps.append((f.attname, default if prep is None else prep(default), prep))  # defaults prepared once
    missing = object()
    with conn.cursor() as cursor:
        for chunk in _chunks(rows, batch):
            params = []
            for row in chunk:
                values = []
                for name, default, prep in preps:
                    value = row.get(name, missing)
                    values.append(default if value is missing else value if prep is None else prep(value))
                params.append(values)
            cursor.executemany(sql, params)


def fast_update(model: type[models.Model], changes: list[tuple[int, dict]], batch: int = 5000) -> None:
    """UPDATE each (pk, values) row; rows with the same set of fields share one statement."""
    if not changes:
        return
    conn = connections[router.db_for_write(model)]
    by_fields = {f.attname: f for f in _concrete(model)}
    auto_now = [f for f in by_fields.values() if getattr(f, "auto_now", False)]
    now = timezone.now()
    groups: dict[tuple[str, ...], list[tuple[int, dict]]] = {}
    for pk, row in changes:
        groups.setdefault(tuple(sorted(row)), []).append((pk, row))
    table = conn.ops.quote_name(model._meta.db_table)
    pk_column = conn.ops.quote_name(model._meta.pk.column)
    with conn.cursor() as cursor:
        for names, items in groups.items():
            fields = [by_fields[n] for n in names if n in by_fields and not by_fields[n].primary_key]
            fields += [f for f in auto_now if f.attname not in names]
            assignments = ", ".join(f"{conn.ops.quote_name(f.column)} = %s" for f in fields)
            sql = f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608 - names quoted
            for chunk in _chunks(items, batch):
                params = [[f.get_db_prep_save(now if f in auto_now else row[f.attname], conn) for f in fields] + [pk]
                          for pk, row in chunk]
                cursor.executemany(sql, params)


def controller_key(name: str, identity: str | None) -> str:
    basis = f"id:{identity.strip().upper()}" if identity else f"name:{name.strip()}"
    return hashlib.sha256(basis.encode()).hexdigest()


def apply_enterprises(rows: list[dict], ids: dict[str, int]) -> dict:
    from innoreform.core.models import Organisation, OrgKind

    controllers = {}
    for row in rows:
        if row.get("actual_controller"):
            key = controller_key(row["actual_controller"], row.get("actual_controller_id"))
            controllers[key] = row["actual_controller"]
    existing_ctrl = {}
    for chunk in _chunks(list(controllers)):
        existing_ctrl.update(dict(m.ActualController.objects.filter(key__in=chunk).values_list("key", "id")))
    new_ctrl = [m.ActualController(key=k, name=n) for k, n in controllers.items() if k not in existing_ctrl]
    m.ActualController.objects.bulk_create(new_ctrl, batch_size=1000)
    if new_ctrl:
        for chunk in _chunks([c.key for c in new_ctrl]):
            existing_ctrl.update(dict(m.ActualController.objects.filter(key__in=chunk).values_list("key", "id")))
    orgs = {}
    codes = [row["credit_code"] for row in rows]
    for chunk in _chunks(codes):
        orgs.update(dict(Organisation.objects.filter(credit_code__in=chunk, kind=OrgKind.ENTERPRISE)
                         .values_list("credit_code", "id")))
    values = []
    for row in rows:
        value = {
            "credit_code": row["credit_code"], "name": row["name"], "region": row["region"],
            "district": row.get("district") or "", "industry_code": row.get("industry_code") or "",
            "industry_restricted": bool(row.get("industry_restricted")), "registered_on": row.get("registered_on"),
            "registered_capital_fen": row.get("registered_capital_fen"),
            "legal_representative": row.get("legal_representative") or "",
            "actual_controller_id": existing_ctrl.get(controller_key(row["actual_controller"],
                                                                     row.get("actual_controller_id")))
            if row.get("actual_controller") else None,
        }
        if row["credit_code"] in orgs:
            value["organisation_id"] = orgs[row["credit_code"]]
        values.append(value)
    return upsert(m.Enterprise, ("credit_code",), values, scope_field="credit_code")


def _with_enterprise(rows: list[dict], ids: dict[str, int], fields: Iterable[str]) -> list[dict]:
    fields = tuple(fields)
    return [{"enterprise_id": ids[row["credit_code"]], **{f: row.get(f) for f in fields}} for row in rows]


def _apply_indicators(fields: tuple[str, ...]) -> Callable[[list[dict], dict[str, int]], dict]:
    def apply(rows: list[dict], ids: dict[str, int]) -> dict:
        return upsert(m.YearlyIndicator, ("enterprise_id", "year"), _with_enterprise(rows, ids, ("year", *fields)))

    return apply


def _apply_customs(rows: list[dict], ids: dict[str, int]) -> dict:
    counts = _apply_indicators(("import_fen", "export_fen"))(rows, ids)
    latest: dict[int, tuple[int, str]] = {}
    for row in rows:
        eid = ids[row["credit_code"]]
        if row.get("credit_rating") and (eid not in latest or row["year"] > latest[eid][0]):
            latest[eid] = (row["year"], row["credit_rating"])
    ratings = [{"id": eid, "customs_credit_rating": rating} for eid, (_y, rating) in latest.items()]
    if ratings:
        upsert(m.Enterprise, ("id",), ratings, scope_field="id")
    return counts


def _fill_defaults(values: list[dict], defaults: dict | None) -> list[dict]:
    for value in values:
        for k, v in (defaults or {}).items():
            if value.get(k) is None:
                value[k] = v
    return values


def _apply_simple(model: type[models.Model], key: tuple[str, ...], fields: tuple[str, ...],
                  defaults: dict | None = None) -> Callable[[list[dict], dict[str, int]], dict]:
    """Upsert rows keyed within one enterprise (award name and year, case number...)."""

    def apply(rows: list[dict], ids: dict[str, int]) -> dict:
        values = _fill_defaults(_with_enterprise(rows, ids, fields), defaults)
        return upsert(model, ("enterprise_id", *key), values)

    return apply


def _apply_global_key(model: type[models.Model], key: tuple[str, ...], fields: tuple[str, ...],
                      defaults: dict | None = None) -> Callable[[list[dict], dict[str, int]], dict]:
    """Upsert on a key unique across enterprises (IP number, certificate number); a row naming
    another enterprise moves the right to it (a transfer)."""

    def apply(rows: list[dict], ids: dict[str, int]) -> dict:
        values = _fill_defaults(_with_enterprise(rows, ids, fields), defaults)
        return upsert(model, key, values, scope_field=key[-1])

    return apply


# --- the templates -------------------------------------------------------------------------------------

TEMPLATES: dict[str, Template] = {}


def _register(t: Template) -> None:
    TEMPLATES[t.key] = t


_register(Template(
    key="market_regulation.enterprises", source="market_regulation", title=_("Enterprise registration"),
    columns=(
        CODE,
        Col("name", _("Enterprise name"), "str", example="示例科技有限公司"),
        Col("region", _("City (division code or name)"), "enum", choices=Region, example="440100"),
        Col("district", _("District"), "str", required=False, max_length=64, example="天河区"),
        Col("industry_code", _("Industry code (GB/T 4754)"), "str", required=False, max_length=5, example="I65"),
        Col("industry_restricted", _("Prohibited, restricted or obsolete industry"), "bool", required=False,
            example="否"),
        Col("registered_on", _("Registered on"), "date", required=False, example="2018-05-20"),
        Col("registered_capital_fen", _("Registered capital (yuan)"), "yuan", required=False, example=5000000),
        Col("legal_representative", _("Legal representative"), "str", required=False, max_length=100,
            example="张三"),
        Col("actual_controller", _("Actual controller"), "str", required=False, example="张三"),
        Col("actual_controller_id", _("Actual controller's ID or credit code (hashed, not stored)"), "str",
            required=False, max_length=64, example=""),
    ),
    natural_key=("credit_code",), apply=apply_enterprises, new_enterprises=True,
    check=_check_not_future("registered_on"),
    notes=_("Creates or updates enterprises. Import this file before the other sources."),
))
_register(Template(
    key="market_regulation.shareholders", source="market_regulation", title=_("Shareholders"),
    columns=(CODE, Col("name", _("Shareholder"), "str", example="张三"),
             Col("kind", _("Shareholder kind"), "enum", choices=m.Shareholder.Kind, example="person"),
             Col("shareholder_code", _("Shareholder's credit code (organisations)"), "str", required=False,
                 max_length=18),
             Col("share_percent", _("Share (%)"), "percent", example=60)),
    natural_key=("credit_code", "name"),
    apply=lambda rows, ids: upsert(m.Shareholder, ("enterprise_id", "name"), [
        {"enterprise_id": ids[r["credit_code"]], "name": r["name"], "kind": r["kind"],
         "credit_code": r.get("shareholder_code") or "", "share_percent": r["share_percent"]} for r in rows]),
))
_register(Template(
    key="market_regulation.abnormal_operation", source="market_regulation", title=_("Abnormal-operation list"),
    columns=(CODE, Col("listed_on", _("Listed on"), "date", example="2023-06-01"),
             Col("reason", _("Reason"), "str", max_length=300, example="未按规定报送年度报告"),
             Col("authority", _("Deciding authority"), "str", required=False),
             Col("removed_on", _("Removed on"), "date", required=False)),
    natural_key=("credit_code", "listed_on"),
    apply=_apply_simple(m.AbnormalOperationEntry, ("listed_on",), ("listed_on", "reason", "authority",
                                                                   "removed_on"), {"authority": ""}),
    check=_checks(_check_period("listed_on", "removed_on"), _check_not_future("listed_on")),
))
_register(Template(
    key="tax.indicators", source="tax", title=_("Sales, cost, R&D expense and assets"),
    columns=(CODE, YEAR,
             Col("sales_fen", _("Sales revenue (yuan)"), "yuan", example=30000000),
             Col("total_cost_fen", _("Total cost (yuan)"), "yuan", example=25000000),
             Col("rd_expense_fen", _("R&D expense (yuan)"), "yuan", example=2100000),
             Col("total_assets_fen", _("Total assets (yuan)"), "yuan", example=40000000)),
    natural_key=("credit_code", "year"),
    apply=_apply_indicators(("sales_fen", "total_cost_fen", "rd_expense_fen", "total_assets_fen")),
    check=_check_tax,
))
_register(Template(
    key="social_security.staff", source="social_security", title=_("Staff and insured staff"),
    columns=(CODE, YEAR, Col("staff_total", _("Staff"), "int", example=120),
             Col("insured_staff", _("Staff with social insurance"), "int", example=118),
             Col("tech_staff", _("Technical staff (where reported)"), "int", required=False, example=40)),
    natural_key=("credit_code", "year"),
    apply=_apply_indicators(("staff_total", "insured_staff", "tech_staff")),
    check=_check_staff,
))
_register(Template(
    key="ip_office.rights", source="ip_office", title=_("Patents, software copyrights, layouts, varieties"),
    columns=(CODE, Col("kind", _("IP kind"), "enum", choices=m.IpKind, example="invention_patent"),
             Col("number", _("Number"), "str", max_length=64, example="ZL202110000001.X"),
             Col("title", _("Title"), "str", required=False, max_length=300),
             Col("status", _("Legal status"), "enum", choices=m.IpStatus, example="valid"),
             Col("filed_on", _("Filed on"), "date", required=False),
             Col("granted_on", _("Granted on"), "date", required=False),
             Col("citations", _("Forward citations"), "int", required=False, example=3),
             Col("family_size", _("Family size"), "int", required=False, example=2),
             Col("ipc", _("IPC codes (; separated)"), "str", required=False, max_length=300, example="G06F 16/00")),
    natural_key=("kind", "number"),
    apply=_apply_global_key(m.IntellectualProperty, ("kind", "number"),
                            ("kind", "number", "title", "status", "filed_on", "granted_on", "citations",
                             "family_size", "ipc"), {"title": "", "citations": 0, "family_size": 1, "ipc": ""}),
    check=_checks(_check_period("filed_on", "granted_on"), _check_not_future("granted_on")),
))
_register(Template(
    key="science.qualifications", source="science", title=_("Qualifications and certificates"),
    columns=(CODE, Col("kind", _("Qualification"), "enum", choices=m.QualificationKind, example="high_tech"),
             Col("certificate_no", _("Certificate number"), "str", max_length=64, example="GR202344000001"),
             Col("valid_from", _("Valid from"), "date", example="2023-12-28"),
             Col("valid_to", _("Valid to"), "date", example="2026-12-27")),
    natural_key=("kind", "certificate_no"),
    apply=_apply_global_key(m.Qualification, ("kind", "certificate_no"),
                            ("kind", "certificate_no", "valid_from", "valid_to")),
    check=_check_period("valid_from", "valid_to"),
))
_register(Template(
    key="science.awards", source="science", title=_("Science and technology awards"),
    columns=(CODE, Col("level", _("Level"), "enum", choices=m.Level, example="provincial"),
             Col("name", _("Award"), "str", example="广东省科学技术奖"), YEAR,
             Col("rank", _("Rank among the units"), "int", example=1)),
    natural_key=("credit_code", "name", "year"),
    apply=_apply_simple(m.Award, ("name", "year"), ("level", "name", "year", "rank")),
))
_register(Template(
    key="science.rd_institutions", source="science", title=_("R&D institutions"),
    columns=(CODE, Col("level", _("Level"), "enum", choices=m.Level, example="provincial"),
             Col("name", _("Name"), "str", example="广东省某某工程技术研究中心"),
             Col("recognised_year", _("Recognised in"), "year", example=2021)),
    natural_key=("credit_code", "name"),
    apply=_apply_simple(m.RdInstitution, ("name",), ("level", "name", "recognised_year")),
))
_register(Template(
    key="science.standards", source="science", title=_("Standards"),
    columns=(CODE, Col("level", _("Level"), "enum", choices=m.Level, example="industry"),
             Col("code", _("Standard number"), "str", max_length=64, example="SJ/T 11000-2022"),
             Col("name", _("Name"), "str", required=False, max_length=300), YEAR,
             Col("led", _("Led the drafting"), "bool", example="是")),
    natural_key=("credit_code", "code"),
    apply=_apply_simple(m.StandardRecord, ("code",), ("level", "code", "name", "year", "led"), {"name": ""}),
))
_register(Template(
    key="courts.judgments", source="courts", title=_("Court judgments"),
    columns=(CODE, Col("case_number", _("Case number"), "str", max_length=64, example="(2023)粤0106民初1234号"),
             Col("court", _("Court"), "str", example="广州市天河区人民法院"),
             Col("judged_on", _("Judged on"), "date", example="2023-09-01"),
             Col("role", _("Role"), "enum", choices=m.CourtJudgment.Role, example="defendant"),
             Col("cause", _("Cause of action"), "str", required=False),
             Col("amount_fen", _("Amount (yuan)"), "yuan", required=False, example=120000)),
    natural_key=("credit_code", "case_number"),
    apply=_apply_simple(m.CourtJudgment, ("case_number",), ("case_number", "court", "judged_on", "role", "cause",
                                                           "amount_fen"), {"cause": "", "amount_fen": 0}),
    check=_check_not_future("judged_on"),
))
_register(Template(
    key="courts.dishonest_debtors", source="courts", title=_("Dishonest-debtor list"),
    columns=(CODE, Col("case_number", _("Case number"), "str", max_length=64),
             Col("court", _("Court"), "str"), Col("listed_on", _("Listed on"), "date"),
             Col("removed_on", _("Removed on"), "date", required=False)),
    natural_key=("credit_code", "case_number"),
    apply=_apply_simple(m.DishonestDebtorEntry, ("case_number",), ("case_number", "court", "listed_on",
                                                                   "removed_on")),
    check=_checks(_check_period("listed_on", "removed_on"), _check_not_future("listed_on")),
))
_register(Template(
    key="customs.trade", source="customs", title=_("Imports, exports and customs credit rating"),
    columns=(CODE, YEAR, Col("import_fen", _("Imports (yuan)"), "yuan", example=1000000),
             Col("export_fen", _("Exports (yuan)"), "yuan", example=3000000),
             Col("credit_rating", _("Customs credit rating"), "str", required=False, max_length=32,
                 example="一般认证企业")),
    natural_key=("credit_code", "year"),
    apply=_apply_customs,
))


# --- reading files --------------------------------------------------------------------------------------


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_limits() -> spreadsheets.Limits:
    # blank rows count, so a file of empty rows stops at the cap instead of being read through
    return spreadsheets.limits(max_rows=MAX_ROWS)


def read_table(content: bytes, filename: str) -> tuple[list, Iterator[tuple]]:
    """(header, row iterator) from an .xlsx or .csv file, through the platform's one spreadsheet
    reader and its caps. Raises FileUnreadable, also from the iterator."""
    try:
        rows = spreadsheets.read_rows(content, filename=filename, limit=read_limits())
        header = next(rows, None)
    except spreadsheets.SpreadsheetRefused as exc:
        raise FileUnreadable(str(exc.message)) from exc
    if header is None:
        raise FileUnreadable(gettext("The file is empty."))
    return list(header), _unreadable_as_file_errors(rows)


def _unreadable_as_file_errors(rows: Iterator[tuple]) -> Iterator[tuple]:
    try:
        yield from rows
    except spreadsheets.SpreadsheetRefused as exc:
        raise FileUnreadable(str(exc.message)) from exc


def _header_aliases(template: Template) -> dict[str, str]:
    aliases = {}
    for col in template.columns:
        aliases[col.key.lower()] = col.key
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                aliases[str(col.label).strip().lower()] = col.key
    return aliases


def map_header(template: Template, header: list) -> list[str | None]:
    aliases = _header_aliases(template)
    mapped = [aliases.get(str(h).strip().lower()) if h is not None else None for h in header]
    missing = [col for col in template.columns if col.required and col.key not in mapped]
    if missing:
        raise FileUnreadable(gettext("Missing columns: %(cols)s") % {"cols": ", ".join(str(c.label) for c in missing)})
    seen = [k for k in mapped if k]
    if len(seen) != len(set(seen)):
        raise FileUnreadable(gettext("A column appears twice in the header."))
    return mapped


# --- validation ---------------------------------------------------------------------------------------------


@dataclass
class Validated:
    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"row": n, "messages": [...]}
    total: int = 0


def validate(template: Template, header: list, rows: Iterable[tuple], *,
             progress: Callable[[int], None] | None = None) -> Validated:
    """Parse and check every row. Row numbers are spreadsheet rows (the header is row 1)."""
    mapped = map_header(template, header)
    columns = {c.key: c for c in template.columns}
    positions = [(i, columns[k]) for i, k in enumerate(mapped) if k]
    absent = [c for c in template.columns if c.key not in mapped]
    result = Validated()
    seen: dict[tuple, int] = {}
    for number, raw in enumerate(rows, start=2):
        if raw is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
            continue  # blank lines are not rows
        result.total += 1
        if result.total > MAX_ROWS:
            raise FileUnreadable(gettext("The file has more than %(n)s rows; split it.") % {"n": MAX_ROWS})
        row: dict = {}
        messages: list[str] = []
        for i, col in positions:
            value = raw[i] if i < len(raw) else None
            try:
                row[col.key] = parse_cell(col, value)
            except ValueError as exc:
                messages.append(f"{col.label}: {exc}")
        for col in absent:
            row[col.key] = None
        if not messages and template.check is not None:
            messages += template.check(row)
        if not messages:
            key = tuple(row.get(k) for k in template.natural_key)
            if key in seen:
                messages.append(gettext("duplicate of row %(row)s") % {"row": seen[key]})
            else:
                seen[key] = number
        if messages:
            result.errors.append({"row": number, "messages": messages})
        else:
            row["_row"] = number
            result.rows.append(row)
        if progress is not None and result.total % 5000 == 0:
            progress(result.total)
    if result.total == 0:
        raise FileUnreadable(gettext("The file has a header but no rows."))
    return result


def check_enterprises(template: Template, validated: Validated) -> dict[str, int]:
    """Map credit codes to enterprise ids; rows naming an unknown enterprise become errors
    (except for the registration template, which creates enterprises)."""
    codes = sorted({row["credit_code"] for row in validated.rows})
    ids: dict[str, int] = {}
    for chunk in _chunks(codes):
        ids.update(dict(m.Enterprise.objects.filter(credit_code__in=chunk).values_list("credit_code", "id")))
    if template.new_enterprises:
        return ids
    kept = []
    for row in validated.rows:
        if row["credit_code"] in ids:
            kept.append(row)
        else:
            validated.errors.append({"row": row["_row"], "messages": [
                gettext("enterprise %(code)s is not in the registry; import its registration first")
                % {"code": row["credit_code"]}]})
    validated.rows = kept
    validated.errors.sort(key=lambda e: e["row"])
    return ids


def check_shares(template: Template, validated: Validated) -> None:
    if template.key != "market_regulation.shareholders":
        return
    totals: dict[str, Decimal] = {}
    for row in validated.rows:
        totals[row["credit_code"]] = totals.get(row["credit_code"], Decimal(0)) + row["share_percent"]
    over = {code for code, total in totals.items() if total > 100}
    if over:
        kept = []
        for row in validated.rows:
            if row["credit_code"] in over:
                validated.errors.append({"row": row["_row"], "messages": [
                    gettext("shares of %(code)s add up to more than 100%%") % {"code": row["credit_code"]}]})
            else:
                kept.append(row)
        validated.rows = kept
        validated.errors.sort(key=lambda e: e["row"])


# --- templates and error reports as files -----------------------------------------------------------------


_HEADER_FONT = Font(bold=True)
_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


def template_workbook(template: Template) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "data"
    sheet.append([str(c.label) for c in template.columns])
    sheet.append([c.example for c in template.columns])
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
    notes = wb.create_sheet("notes")
    notes.append([gettext("Column"), gettext("Key"), gettext("Required"), gettext("Type"), gettext("Allowed values")])
    for col in template.columns:
        allowed = ", ".join(f"{v} ({label})" for v, label in col.choices.choices) if col.choices else ""
        notes.append([str(col.label), col.key, gettext("yes") if col.required else gettext("no"), col.kind, allowed])
    if template.notes:
        notes.append([])
        notes.append([str(template.notes)])
    notes.append([gettext("The example row in the data sheet must be replaced or deleted before importing.")])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def template_csv(template: Template) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(c.label) for c in template.columns])
    return ("\ufeff" + buffer.getvalue()).encode()


def error_report(content: bytes, filename: str, errors: list[dict]) -> bytes:
    """The uploaded rows with an 'errors' column, error rows highlighted, for the clerk to fix."""
    by_row = {e["row"]: "; ".join(e["messages"]) for e in errors}
    wb = Workbook()
    sheet = wb.active
    sheet.title = "errors"
    try:
        header, rows = read_table(content, filename)
    except FileUnreadable as exc:
        sheet.append([gettext("Errors")])
        sheet.append([str(exc)])
        header, rows = None, iter(())
    if header is not None:
        sheet.append([gettext("Row"), gettext("Errors"), *[("" if h is None else h) for h in header]])
        for cell in sheet[1]:
            cell.font = _HEADER_FONT
        for number, raw in enumerate(rows, start=2):
            message = by_row.get(number, "")
            sheet.append([number, message, *[_safe_cell(v) for v in raw]])
            if message:
                for cell in sheet[sheet.max_row]:
                    cell.fill = _ERROR_FILL
        if 1 in by_row:
            sheet.append([1, by_row[1]])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _safe_cell(value):
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value
