"""Eligibility rules as data, evaluated over a facts dict with a reason for every outcome.

A rule is {"field": ..., "op": ..., "value": ...}. Facts come from facts.enterprise_facts (or a
synthetic dict in the benchmark). A fact that is missing (None) makes its rule "unknown": it
cannot be evaluated, the product is not offered, and the reason says which fact is missing.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from innoreform.core.regions import Region

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"

# field -> (type, label). Types: "code" (one value), "prefix" (industry code), "set" (list), "bool", "number".
FIELDS: dict[str, tuple[str, Any]] = {
    "region": ("code", pgettext_lazy("financing rule field", "City")),
    "industry": ("prefix", pgettext_lazy("financing rule field", "Industry (GB/T 4754)")),
    "qualifications": ("set", pgettext_lazy("financing rule field", "Qualifications")),
    "tech_sme": ("bool", pgettext_lazy("financing rule field", "Listed tech SME (科技型中小企业)")),
    "innovation_index": ("number", pgettext_lazy("financing rule field", "Innovation index")),
    "credit_score": ("number", pgettext_lazy("financing rule field", "Credit score")),
    "years_registered": ("number", pgettext_lazy("financing rule field", "Years since registration")),
    "invention_patents": ("number", pgettext_lazy("financing rule field", "Valid invention patents")),
    "staff": ("number", pgettext_lazy("financing rule field", "Staff")),
    "sales_fen": ("number", pgettext_lazy("financing rule field", "Sales last year (fen)")),
    "dishonest": ("bool", pgettext_lazy("financing rule field", "On the dishonest-debtor list")),
    "abnormal_operation": ("bool", pgettext_lazy("financing rule field", "On the abnormal-operation list")),
}
OPS: dict[str, tuple[str, ...]] = {
    "code": ("in", "not_in"),
    "prefix": ("prefix_in", "prefix_not_in"),
    "set": ("contains_any", "contains_all"),
    "bool": ("is_true", "is_false"),
    "number": ("gte", "lte"),
}
MAX_RULES = 30


@dataclass(frozen=True)
class Result:
    field: str
    op: str
    expected: Any
    actual: Any
    status: str
    reason: str

    def as_dict(self) -> dict:
        return {"field": self.field, "op": self.op, "expected": self.expected, "actual": self.actual,
                "status": self.status, "reason": self.reason}


def validate(rules: Any) -> list[dict]:
    """Check the shape of a rule list; returns the normalised rules or raises ValueError with
    one message per bad rule (English source strings, translated by the caller's gettext)."""
    if not isinstance(rules, list):
        raise ValueError(_("Rules must be a list."))
    if len(rules) > MAX_RULES:
        raise ValueError(_("At most %(n)d rules.") % {"n": MAX_RULES})
    clean, problems = [], []
    for i, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict) or set(rule) - {"field", "op", "value"}:
            problems.append(_("Rule %(i)d: give field, op and value.") % {"i": i})
            continue
        field, op, value = rule.get("field"), rule.get("op"), rule.get("value")
        if field not in FIELDS:
            problems.append(_("Rule %(i)d: unknown field %(field)s.") % {"i": i, "field": str(field)[:40]})
            continue
        kind = FIELDS[field][0]
        if op not in OPS[kind]:
            problems.append(_("Rule %(i)d: %(op)s cannot be used on %(field)s.") % {"i": i, "op": str(op)[:20],
                                                                                    "field": field})
            continue
        if kind in ("code", "prefix", "set"):
            if (not isinstance(value, list) or not value or len(value) > 50
                    or not all(isinstance(v, str) and 0 < len(v) <= 40 for v in value)):
                problems.append(_("Rule %(i)d: the value must be a list of codes.") % {"i": i})
                continue
            value = sorted(set(value))
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float) or not (-1e15 <= value <= 1e15):
                problems.append(_("Rule %(i)d: the value must be a number.") % {"i": i})
                continue
        else:
            value = None
        clean.append({"field": field, "op": op, "value": value})
    if problems:
        raise ValueError("; ".join(problems))
    return clean


def _label(field: str) -> str:
    return str(FIELDS[field][1])


def _show(field: str, value: Any) -> str:
    if value is None:
        return "—"
    if field == "region":
        if isinstance(value, list):
            return "、".join(_show(field, v) for v in value)
        try:
            return str(Region(value).label)
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


OP_SIGNS = {"in": "∈", "not_in": "∉", "prefix_in": "∈", "prefix_not_in": "∉", "contains_any": "∩",
            "contains_all": "⊇", "gte": "≥", "lte": "≤"}


def describe(rule: dict) -> str:
    """A rule in one line for people: “City ∈ 东莞市、广州市”, “Innovation index ≥ 60”."""
    field, op = rule["field"], rule["op"]
    if op in ("is_true", "is_false"):
        return f"{_label(field)}: {_show(field, op == 'is_true')}"
    return f"{_label(field)} {OP_SIGNS[op]} {_show(field, rule.get('value'))}"


def evaluate_one(rule: dict, facts: dict) -> Result:
    field, op, expected = rule["field"], rule["op"], rule.get("value")
    actual = facts.get(field)
    label = _label(field)
    p = {"field": label, "expected": _show(field, expected), "actual": _show(field, actual)}
    if actual is None:
        if field == "credit_score":
            reason = _("No credit score is available for this enterprise, so the rule “%(field)s at least "
                       "%(expected)s” cannot be evaluated.") % p
        else:
            reason = _("%(field)s is not known, so this rule cannot be evaluated.") % p
        return Result(field, op, expected, None, UNKNOWN, reason)
    if op in ("in", "not_in"):
        inside = actual in expected
        ok = inside if op == "in" else not inside
        if op == "in":
            reason = (_("%(field)s %(actual)s is one of %(expected)s.") if ok
                      else _("%(field)s %(actual)s is not one of %(expected)s."))
        else:
            reason = (_("%(field)s %(actual)s is not excluded (%(expected)s).") if ok
                      else _("%(field)s %(actual)s is excluded (%(expected)s)."))
    elif op in ("prefix_in", "prefix_not_in"):
        inside = any(str(actual).startswith(x) for x in expected)
        ok = inside if op == "prefix_in" else not inside
        if op == "prefix_in":
            reason = (_("%(field)s %(actual)s falls within %(expected)s.") if ok
                      else _("%(field)s %(actual)s is outside %(expected)s."))
        else:
            reason = (_("%(field)s %(actual)s is not among the excluded %(expected)s.") if ok
                      else _("%(field)s %(actual)s is among the excluded %(expected)s."))
    elif op in ("contains_any", "contains_all"):
        have = set(actual)
        matched = sorted(have & set(expected))
        p["matched"] = _show(field, matched)
        if op == "contains_any":
            ok = bool(matched)
            reason = (_("%(field)s include %(matched)s (one of %(expected)s is required).") if ok
                      else _("%(field)s include none of %(expected)s."))
        else:
            ok = set(expected) <= have
            p["missing"] = _show(field, sorted(set(expected) - have))
            reason = (_("%(field)s include all of %(expected)s.") if ok
                      else _("%(field)s lack %(missing)s (all of %(expected)s are required)."))
    elif op in ("is_true", "is_false"):
        ok = bool(actual) is (op == "is_true")
        want = _("yes") if op == "is_true" else _("no")
        p["want"] = want
        reason = (_("%(field)s: %(actual)s, as required.") if ok
                  else _("%(field)s: %(actual)s, but the product requires %(want)s."))
    else:  # gte / lte
        ok = actual >= expected if op == "gte" else actual <= expected
        if op == "gte":
            reason = (_("%(field)s is %(actual)s, at least the required %(expected)s.") if ok
                      else _("%(field)s is %(actual)s, below the required %(expected)s."))
        else:
            reason = (_("%(field)s is %(actual)s, within the maximum %(expected)s.") if ok
                      else _("%(field)s is %(actual)s, above the maximum %(expected)s."))
    return Result(field, op, expected, actual, PASS if ok else FAIL, reason % p)


def evaluate(rules: list[dict], facts: dict) -> list[Result]:
    return [evaluate_one(rule, facts) for rule in rules]


def all_pass(results: list[Result]) -> bool:
    return all(r.status == PASS for r in results)
