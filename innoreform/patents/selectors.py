"""Reads of patent navigation, scoped to the actor. Datasets of other organisations are NotFound
unless the actor oversees all (departments, platform operator)."""

# ruff: noqa: S608  (SQL text is built from constants, table names and integers; user values are bound parameters)
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.db.models import QuerySet

from innoreform.core.actor import Actor
from innoreform.core.errors import NotFound

from . import permissions
from .engine import industries as eng_industries
from .engine.indicators import connect
from .engine.landscape import landscape
from .models import ApplicantAlias, Dataset, DatasetStatus, RuleSet, RuleSetStatus


def dataset_list(*, actor: Actor) -> QuerySet[Dataset]:
    if not permissions.can(actor, "patents.view"):
        return Dataset.objects.none()
    qs = Dataset.objects.select_related("organisation", "job").order_by("-id")
    if permissions.can(actor, "patents.view_all"):
        return qs
    return qs.filter(organisation_id=actor.organisation_id)


def dataset_get(*, actor: Actor, dataset_id: int, ready: bool = False) -> Dataset:
    dataset = dataset_list(actor=actor).filter(pk=dataset_id).first()
    if dataset is None or (ready and dataset.status != DatasetStatus.READY):
        raise NotFound()
    return dataset


def ruleset_in_force() -> RuleSet:
    """The latest approved version (migration 0002 ships version 1, the starter set)."""
    ruleset = RuleSet.objects.filter(status=RuleSetStatus.APPROVED).order_by("-version").first()
    if ruleset is None:
        raise NotFound()
    return ruleset


def ruleset_list() -> QuerySet[RuleSet]:
    return RuleSet.objects.select_related("created_by", "approved_by").order_by("-version")


def ruleset_get(*, version: int) -> RuleSet:
    ruleset = RuleSet.objects.filter(version=version).first()
    if ruleset is None:
        raise NotFound()
    return ruleset


def rule_get(*, ruleset: RuleSet, rule_id: int):
    rule = ruleset.rules.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound()
    return rule


def engine_rules(ruleset: RuleSet) -> list[eng_industries.Rule]:
    from .services import to_engine_rule

    return [to_engine_rule(r) for r in ruleset.rules.all()]


def industry_list(ruleset: RuleSet) -> list[tuple[str, str, str]]:
    return eng_industries.industries(engine_rules(ruleset))


def industry_get(ruleset: RuleSet, code: str) -> tuple[str, str, str]:
    for item in industry_list(ruleset):
        if item[0] == code:
            return item
    raise NotFound()


def alias_list() -> QuerySet[ApplicantAlias]:
    return ApplicantAlias.objects.order_by("canonical", "alias")


def alias_rows() -> list[tuple]:
    return [(a.alias_key, a.canonical, a.kind or None, a.city or None) for a in alias_list()]


def landscape_get(*, actor: Actor, dataset: Dataset, industry: str) -> dict:
    """The full landscape of one industry, cached per data version, rule version and alias table."""
    ruleset = ruleset_in_force()
    industry_get(ruleset, industry)
    rules = engine_rules(ruleset)
    aliases = alias_rows()
    fingerprint = hashlib.sha256(json.dumps(
        [dataset.data_version, ruleset.version, [r.__dict__ for r in rules], aliases], default=str,
        sort_keys=True).encode()).hexdigest()[:16]
    cache = dataset.path / "landscapes" / f"{industry}-{fingerprint}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    result = landscape(dataset.path, rules=rules, industry=industry, aliases=aliases, cutoff=dataset.cutoff_date)
    result.pop("raw", None)
    result["rules_version"] = ruleset.version
    result["data_version"] = dataset.data_version
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(result, default=str, ensure_ascii=False))
    return json.loads(cache.read_text())


TOPIC_COLUMNS = ["app_no", "pub_no", "title", "app_date", "pub_date", "patent_type", "granted", "legal_status",
                 "applicants", "first_applicant_city", "inventors", "ipc", "segments", "cited_count",
                 "family_size", "family_id"]


def topic_rows(*, actor: Actor, dataset: Dataset, industry: str, q: str = "", segment: str = "", city: str = "",
               limit: int | None = 50, offset: int = 0) -> tuple[int, list[dict]]:
    """The topic database of one industry: its patents with applicants, inventors, IPC and segments."""
    from .engine.indicators import ALIAS_COLUMNS, DuckDBBackend
    from .engine.industries import MEMBERSHIP_SQL, RULE_TABLE_COLUMNS, rule_tables

    ruleset = ruleset_in_force()
    industry_get(ruleset, industry)
    con = connect(dataset.path)
    try:
        backend = DuckDBBackend(con)
        for name, columns in RULE_TABLE_COLUMNS.items():
            backend.load(name, columns, rule_tables(engine_rules(ruleset), industry)[name])
        backend.load("aliases", ALIAS_COLUMNS, alias_rows())
        backend.create("ind", MEMBERSHIP_SQL)
        where, params = ["1 = 1"], []
        if q:
            where.append("(LOWER(p.title) LIKE ? OR LOWER(apps.applicants) LIKE ? "
                         "OR p.app_no LIKE ? OR p.pub_no LIKE ?)")
            like = f"%{q.lower()}%"
            params += [like, like, f"%{q}%", f"%{q}%"]
        if segment:
            where.append("s.segments LIKE ?")
            params.append(f"%{segment}%")
        if city:
            where.append("first.city = ?")
            params.append(city)
        sql = f"""
            WITH s AS (SELECT pid, string_agg(segment, '; ' ORDER BY segment) AS segments FROM ind GROUP BY pid),
            named AS (SELECT a.pid, a.seq, COALESCE(al.canonical, a.name_std) AS name, COALESCE(al.city, a.city) AS city
                      FROM applicants a JOIN s USING (pid) LEFT JOIN aliases al ON al.name_key = a.name_key),
            apps AS (SELECT pid, string_agg(name, '; ' ORDER BY seq) AS applicants FROM named GROUP BY pid),
            first AS (SELECT pid, city FROM named WHERE seq = 0),
            inv AS (SELECT pid, string_agg(name, '; ' ORDER BY seq) AS inventors
                    FROM inventors JOIN s USING (pid) GROUP BY pid),
            codes AS (SELECT pid, string_agg(code, '; ' ORDER BY seq) AS ipc FROM ipc JOIN s USING (pid) GROUP BY pid)
            SELECT p.app_no, p.pub_no, p.title, p.app_date, p.pub_date, p.patent_type, p.granted, p.legal_status,
                   apps.applicants, first.city AS first_applicant_city, inv.inventors, codes.ipc, s.segments,
                   p.cited_count, p.family_size, p.family_id, COUNT(*) OVER () AS total
            FROM s JOIN patents p USING (pid)
            LEFT JOIN apps USING (pid) LEFT JOIN first USING (pid) LEFT JOIN inv USING (pid) LEFT JOIN codes USING (pid)
            WHERE {' AND '.join(where)}
            ORDER BY p.app_date DESC NULLS LAST, p.app_no
        """
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        cur = con.execute(sql, params)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    total = rows[0]["total"] if rows else 0
    return total, rows


def error_rows(*, dataset: Dataset, limit: int = 200) -> list[dict]:
    path = Path(dataset.path) / "errors.parquet"
    if not path.exists():
        return []
    import duckdb

    con = duckdb.connect()
    try:
        cur = con.execute("SELECT file_idx, row_no, severity, field, value, message FROM read_parquet(?) "
                          "ORDER BY severity, file_idx, row_no LIMIT ?", [str(path), limit])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
