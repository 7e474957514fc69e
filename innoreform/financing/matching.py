"""Matching needs with products: eligibility with reasons, a score with its components, and the
reason one product ranks above the next. Pure functions over plain values (no database), so the
API, the pages and the benchmark share them.

Two paths give the same answer: `rank` (one need, explained) and `batch_top` (many needs, numpy,
no explanations). Tests check they agree.
"""

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innoreform.core.money import fen_to_yuan

from . import rules as r

COMPONENTS = {
    "price": gettext_lazy("price"),
    "speed": gettext_lazy("decision speed"),
    "margin": gettext_lazy("margin above the thresholds"),
    "preference": gettext_lazy("the kind you prefer"),
}
# Product kinds and what a need must offer for them.
KINDS = ("loan", "guarantee", "insurance", "equity", "loan_with_warrants", "ip_pledge_loan", "equipment_loan")
NUMBER_FIELDS = [f for f, (kind, _label) in r.FIELDS.items() if kind == "number"]
BOOL_FIELDS = [f for f, (kind, _label) in r.FIELDS.items() if kind == "bool"]


@dataclass(frozen=True)
class Weights:
    price: float = 40
    speed: float = 20
    margin: float = 20
    preference: float = 20
    rate_floor: float = 0.02
    rate_cap: float = 0.12
    speed_horizon_days: float = 30

    @classmethod
    def from_policy(cls, params: dict) -> "Weights":
        return cls(**{k: float(v) for k, v in params.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class NeedSpec:
    amount_fen: int
    term_months: int
    purpose: str = "working_capital"
    collateral: tuple[str, ...] = ()
    preferred_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProductSpec:
    id: int
    kind: str
    name: str
    institution_id: int
    min_amount_fen: int
    max_amount_fen: int
    min_term_months: int
    max_term_months: int
    min_rate: float
    rules: list = field(default_factory=list)
    speed_days: float | None = None  # the institution's median days to decide (None: unknown)
    institution_name: str = ""


@dataclass
class Match:
    product: ProductSpec
    eligible: bool
    score: float
    components: dict[str, float]
    checks: list[r.Result]
    rank: int = 0
    above_next: str = ""

    def as_dict(self) -> dict:
        return {"product_id": self.product.id, "product": self.product.name, "kind": self.product.kind,
                "institution_id": self.product.institution_id, "institution": self.product.institution_name,
                "eligible": self.eligible, "score": self.score, "rank": self.rank,
                "components": self.components, "checks": [c.as_dict() for c in self.checks],
                "above_next": self.above_next}


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def fit_checks(need: NeedSpec, p: ProductSpec) -> list[r.Result]:
    out = []
    amount = {"need": fen_to_yuan(need.amount_fen), "lo": fen_to_yuan(p.min_amount_fen),
              "hi": fen_to_yuan(p.max_amount_fen)}
    ok = p.min_amount_fen <= need.amount_fen <= p.max_amount_fen
    out.append(r.Result("amount", "between", [p.min_amount_fen, p.max_amount_fen], need.amount_fen,
                        r.PASS if ok else r.FAIL,
                        (_("The amount %(need)s yuan is within %(lo)s–%(hi)s yuan.") if ok
                         else _("The amount %(need)s yuan is outside %(lo)s–%(hi)s yuan.")) % amount))
    term = {"need": need.term_months, "lo": p.min_term_months, "hi": p.max_term_months}
    ok = p.min_term_months <= need.term_months <= p.max_term_months
    out.append(r.Result("term", "between", [p.min_term_months, p.max_term_months], need.term_months,
                        r.PASS if ok else r.FAIL,
                        (_("The term of %(need)s months is within %(lo)s–%(hi)s months.") if ok
                         else _("The term of %(need)s months is outside %(lo)s–%(hi)s months.")) % term))
    if need.preferred_kinds:
        ok = p.kind in need.preferred_kinds
        out.append(r.Result("kind", "in", list(need.preferred_kinds), p.kind, r.PASS if ok else r.FAIL,
                            _("You asked for this kind of financing.") if ok
                            else _("You did not ask for this kind of financing.")))
    if p.kind == "ip_pledge_loan":
        ok = "ip" in need.collateral
        out.append(r.Result("collateral", "contains", "ip", list(need.collateral), r.PASS if ok else r.FAIL,
                            _("You offer IP as collateral, as an IP-pledge loan needs.") if ok
                            else _("An IP-pledge loan needs patents or other IP offered as collateral.")))
    if p.kind in ("equity", "loan_with_warrants"):
        ok = "equity" in need.collateral
        out.append(r.Result("collateral", "contains", "equity", list(need.collateral), r.PASS if ok else r.FAIL,
                            _("You accept giving equity or warrants.") if ok
                            else _("This product takes equity or warrants, which you did not offer.")))
    if p.kind == "equipment_loan":
        ok = need.purpose == "equipment"
        out.append(r.Result("purpose", "eq", "equipment", need.purpose, r.PASS if ok else r.FAIL,
                            _("The money is for buying equipment, as an equipment loan requires.") if ok
                            else _("An equipment credit loan may only pay for instruments and equipment.")))
    return out


def _gte_thresholds(rules: list[dict]) -> dict[str, float]:
    out: dict[str, float] = {}
    for rule in rules:
        if rule["op"] == "gte":
            out[rule["field"]] = max(out.get(rule["field"], -np.inf), float(rule["value"]))
    return out


def components(need: NeedSpec, p: ProductSpec, facts: dict, w: Weights) -> dict[str, float]:
    price = _clamp((w.rate_cap - p.min_rate) / (w.rate_cap - w.rate_floor))
    speed = 0.5 if p.speed_days is None else _clamp(1 - p.speed_days / w.speed_horizon_days)
    total, count = 0.0, 0
    thresholds = _gte_thresholds(p.rules)
    for name in NUMBER_FIELDS:  # fixed order: the batch path sums in the same order
        if name in thresholds and facts.get(name) is not None:
            t = thresholds[name]
            total += _clamp((float(facts[name]) - t) / (0.5 * abs(t) + 1))
            count += 1
    margin = total / count if count else 0.5
    if not need.preferred_kinds:
        pref = 0.5
    elif p.kind == need.preferred_kinds[0]:
        pref = 1.0
    elif p.kind in need.preferred_kinds:
        pref = 0.75
    else:
        pref = 0.0
    return {"price": price, "speed": speed, "margin": margin, "preference": pref}


def total_score(c: dict[str, float], w: Weights) -> float:
    weight_sum = w.price + w.speed + w.margin + w.preference
    raw = (w.price * c["price"] + w.speed * c["speed"] + w.margin * c["margin"] + w.preference * c["preference"])
    return float(np.round(100 * raw / weight_sum, 6))


def explain_order(a: Match, b: Match, w: Weights) -> str:
    """Why `a` ranks above `b`."""
    if a.eligible and not b.eligible:
        failed = [c for c in b.checks if c.status != r.PASS]
        return _("%(a)s is offered to you; %(b)s is not (%(why)s).") % {
            "a": a.product.name, "b": b.product.name, "why": failed[0].reason if failed else ""}
    diffs = {k: getattr(w, k) * (a.components[k] - b.components[k]) for k in COMPONENTS}
    key = max(diffs, key=lambda k: (diffs[k], k))
    if diffs[key] <= 0:
        return _("%(a)s and %(b)s score the same (%(score)s); the earlier-published product comes first.") % {
            "a": a.product.name, "b": b.product.name, "score": f"{a.score:.2f}"}
    detail = ""
    if key == "price":
        detail = _("from %(a)s %% against %(b)s %% a year") % {"a": f"{a.product.min_rate * 100:.2f}",
                                                               "b": f"{b.product.min_rate * 100:.2f}"}
    elif key == "speed":
        detail = _("typical decision in %(a)s against %(b)s days") % {
            "a": "—" if a.product.speed_days is None else f"{a.product.speed_days:.1f}",
            "b": "—" if b.product.speed_days is None else f"{b.product.speed_days:.1f}"}
    return _("%(a)s ranks above %(b)s (%(sa)s against %(sb)s points) mainly on %(component)s%(detail)s.") % {
        "a": a.product.name, "b": b.product.name, "sa": f"{a.score:.2f}", "sb": f"{b.score:.2f}",
        "component": COMPONENTS[key], "detail": f" ({detail})" if detail else ""}


def rank(need: NeedSpec, facts: dict, products: list[ProductSpec], w: Weights) -> list[Match]:
    """Every product with its checks: eligible ones by score (ties: lower product id first), then
    the others; each eligible match says why it ranks above the next one."""
    matches = []
    for p in products:
        checks = fit_checks(need, p) + r.evaluate(p.rules, facts)
        eligible = r.all_pass(checks)
        comps = components(need, p, facts, w)
        matches.append(Match(product=p, eligible=eligible, score=total_score(comps, w) if eligible else 0.0,
                             components=comps, checks=checks))
    matches.sort(key=lambda m: (not m.eligible, -m.score, m.product.id))
    for i, m in enumerate(matches, start=1):
        m.rank = i
    for a, b in itertools.pairwise(matches):
        if a.eligible:
            a.above_next = explain_order(a, b, w)
    return matches


# --- the batch path (numpy) ---------------------------------------------------------------------------


class NotVectorisable(Exception):
    pass


@dataclass
class CompiledProducts:
    ids: np.ndarray
    specs: list[ProductSpec]
    kind: np.ndarray
    amount_lo: np.ndarray
    amount_hi: np.ndarray
    term_lo: np.ndarray
    term_hi: np.ndarray
    base: np.ndarray  # price and speed parts of the score (weighted, not yet divided)
    constraints: list[tuple[str, str, np.ndarray, Any, dict]]  # (field, op, product mask, payload, cache)
    gte: dict[str, np.ndarray]  # field -> threshold (nan: none)


def compile_products(products: list[ProductSpec], w: Weights) -> CompiledProducts:
    products = sorted(products, key=lambda p: p.id)
    n = len(products)
    seen: dict[tuple[str, str], dict[int, Any]] = {}
    gte = {f: np.full(n, np.nan) for f in NUMBER_FIELDS}
    lte = {f: np.full(n, np.nan) for f in NUMBER_FIELDS}
    for j, p in enumerate(products):
        for rule in p.rules:
            fkey = (rule["field"], rule["op"])
            if fkey in seen and j in seen[fkey]:
                if rule["op"] == "gte":
                    gte[rule["field"]][j] = max(gte[rule["field"]][j], float(rule["value"]))
                    continue
                if rule["op"] == "lte":
                    lte[rule["field"]][j] = min(lte[rule["field"]][j], float(rule["value"]))
                    continue
                raise NotVectorisable(f"product {p.id}: two {fkey} rules")
            seen.setdefault(fkey, {})[j] = rule.get("value")
            if rule["op"] == "gte":
                gte[rule["field"]][j] = float(rule["value"])
            elif rule["op"] == "lte":
                lte[rule["field"]][j] = float(rule["value"])
    constraints = []
    for (fname, op), per_product in seen.items():
        mask = np.zeros(n, dtype=bool)
        mask[list(per_product)] = True
        constraints.append((fname, op, mask, per_product, {}))
    for fname in NUMBER_FIELDS:
        if not np.isnan(lte[fname]).all():
            constraints.append((fname, "lte#", ~np.isnan(lte[fname]), lte[fname], {}))
        if not np.isnan(gte[fname]).all():
            constraints.append((fname, "gte#", ~np.isnan(gte[fname]), gte[fname], {}))
    price = np.array([_clamp((w.rate_cap - p.min_rate) / (w.rate_cap - w.rate_floor)) for p in products])
    speed = np.array([0.5 if p.speed_days is None else _clamp(1 - p.speed_days / w.speed_horizon_days)
                      for p in products])
    return CompiledProducts(
        ids=np.array([p.id for p in products], dtype=np.int64), specs=products,
        kind=np.array([KINDS.index(p.kind) for p in products], dtype=np.int64),
        amount_lo=np.array([p.min_amount_fen for p in products], dtype=np.int64),
        amount_hi=np.array([p.max_amount_fen for p in products], dtype=np.int64),
        term_lo=np.array([p.min_term_months for p in products], dtype=np.int64),
        term_hi=np.array([p.max_term_months for p in products], dtype=np.int64),
        base=w.price * price + w.speed * speed, constraints=constraints, gte=gte,
    )


def _value_key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


def _constraint_pass(fname: str, op: str, mask: np.ndarray, payload: Any, cache: dict,
                     facts: list[dict]) -> np.ndarray | None:
    """Does each enterprise pass this constraint (products without it pass): an E × N array, or
    something that broadcasts to it; None when the constraint is folded into another one.

    Code, prefix and set rules are evaluated once per distinct fact value (a row over all
    products, cached) and gathered per enterprise, so the work is a single indexing step."""
    if op in ("gte", "lte"):
        return None  # handled by the "#" constraints
    if op in ("gte#", "lte#"):
        x = np.array([np.nan if f.get(fname) is None else float(f[fname]) for f in facts])[:, None]
        with np.errstate(invalid="ignore"):
            ok = (x >= payload[None, :]) if op == "gte#" else (x <= payload[None, :])
        ok |= ~mask[None, :]
        return ok
    values = [f.get(fname) for f in facts]
    if op in ("is_true", "is_false"):
        want = op == "is_true"
        per = np.array([v is not None and bool(v) is want for v in values])[:, None]
        return per | ~mask[None, :]
    if "vocab" not in cache:
        vocab = sorted({v for j in payload for v in (payload[j] or [])})
        table = np.zeros((len(vocab), mask.shape[0]), dtype=bool)
        index = {v: k for k, v in enumerate(vocab)}
        for j in payload:
            for v in payload[j] or []:
                table[index[v], j] = True
        cache.update(vocab=vocab, table=table, required=table.sum(axis=0), rows={})
    rows: dict = cache["rows"]
    keys = [_value_key(v) for v in values]
    for key in set(keys):
        if key in rows:
            continue
        if key is None:
            rows[key] = ~mask
            continue
        if op in ("in", "not_in"):
            hit = np.array([key == x for x in cache["vocab"]], dtype=bool)
        elif op in ("prefix_in", "prefix_not_in"):
            hit = np.array([str(key).startswith(x) for x in cache["vocab"]], dtype=bool)
        else:
            hit = np.array([x in key for x in cache["vocab"]], dtype=bool)
        matched = cache["table"][hit]
        if op in ("in", "prefix_in", "contains_any"):
            passed = matched.any(axis=0)
        elif op in ("not_in", "prefix_not_in"):
            passed = ~matched.any(axis=0)
        elif op == "contains_all":
            passed = matched.sum(axis=0) == cache["required"]
        else:
            raise NotVectorisable(op)
        rows[key] = passed | ~mask
    order = {key: i for i, key in enumerate(rows)}
    stacked = np.stack(list(rows.values()))
    return stacked[np.array([order[k] for k in keys])]


def _score_chunk(nd: list[NeedSpec], fc: list[dict], compiled: CompiledProducts, w: Weights,
                 *, count_failures: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Eligibility, the score in millionths of a point (whole numbers in float64: the explained
    path's score rounded to six places, times 10^6) and, optionally, the number of failed checks,
    for needs × products."""
    weight_sum = w.price + w.speed + w.margin + w.preference
    shape = (len(nd), compiled.ids.shape[0])
    amount = np.array([x.amount_fen for x in nd], dtype=np.int64)[:, None]
    term = np.array([x.term_months for x in nd], dtype=np.int64)[:, None]
    pref_sets = np.zeros((len(nd), len(KINDS)), dtype=bool)
    first = np.full(len(nd), -1)
    for i, x in enumerate(nd):
        for kind in x.preferred_kinds:
            pref_sets[i, KINDS.index(kind)] = True
        if x.preferred_kinds:
            first[i] = KINDS.index(x.preferred_kinds[0])
    has_pref = pref_sets.any(axis=1)[:, None]
    in_pref = pref_sets[:, compiled.kind]
    ip = np.array(["ip" in x.collateral for x in nd])[:, None]
    equity = np.array(["equity" in x.collateral for x in nd])[:, None]
    equipment = np.array([x.purpose == "equipment" for x in nd])[:, None]
    eq_kinds = (compiled.kind == KINDS.index("equity")) | (compiled.kind == KINDS.index("loan_with_warrants"))
    checks = [
        lambda: (compiled.amount_lo <= amount) & (amount <= compiled.amount_hi),
        lambda: (compiled.term_lo <= term) & (term <= compiled.term_hi),
        lambda: ~has_pref | in_pref,
        lambda: (compiled.kind != KINDS.index("ip_pledge_loan")) | ip,
        lambda: ~eq_kinds | equity,
        lambda: (compiled.kind != KINDS.index("equipment_loan")) | equipment,
    ] + [lambda c=c: _constraint_pass(*c, fc) for c in compiled.constraints]
    ok = np.ones(shape, dtype=bool)
    failures = np.zeros(shape, dtype=np.int32) if count_failures else None
    for check in checks:
        passed = check()
        if passed is None:
            continue
        ok &= passed
        if failures is not None:
            failures += ~np.broadcast_to(passed, shape)
    # Scores only where eligible (a small share of the pairs): 1-D arrays over those pairs.
    ii, jj = np.nonzero(ok)
    pref_table = np.where(has_pref, np.where(np.arange(len(KINDS))[None, :] == first[:, None], 1.0,
                                             np.where(pref_sets, 0.75, 0.0)), 0.5)
    pref = pref_table[ii, compiled.kind[jj]]
    total = np.zeros(ii.shape[0])
    count = np.zeros(ii.shape[0])
    for fname in NUMBER_FIELDS:
        t_all = compiled.gte[fname]
        if np.isnan(t_all).all():
            continue
        raw_x = [f.get(fname) for f in fc]
        x_all = np.array([np.nan if v is None else float(v) for v in raw_x])
        t, x = t_all[jj], x_all[ii]
        present = ~np.isnan(t) & ~np.isnan(x)
        part = np.clip((x[present] - t[present]) / (0.5 * np.abs(t[present]) + 1), 0.0, 1.0)
        total[present] += part
        count[present] += 1
    margin = np.where(count > 0, total / np.maximum(count, 1), 0.5)
    # The explained path sums ((price + speed) + margin) + preference, in that order.
    score = compiled.base[jj] + w.margin * margin + w.preference * pref
    score = np.rint(100 * score / weight_sum * 1e6)
    return ok, (ii, jj, score), failures


def _top_rows(rows: int, pairs: tuple, ids: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """Top-k per row by (score desc, product id asc) from the eligible pairs. The columns are in
    ascending id order, so a composite key (exact in float64 below 2^53) breaks ties exactly."""
    ii, jj, micro = pairs
    n = ids.shape[0]
    key = micro * (n + 1) + (n - jj)
    order = np.lexsort((-key, ii))
    ii, jj, micro = ii[order], jj[order], micro[order]
    starts = np.searchsorted(ii, np.arange(rows + 1))
    pids = ids[jj].tolist()
    scores = (micro / 1e6).tolist()
    out = []
    for i in range(rows):
        a = starts[i]
        b = min(starts[i + 1], a + k)
        out.append(list(zip(pids[a:b], scores[a:b], strict=True)))
    return out


def batch_top(needs: list[NeedSpec], facts: list[dict], compiled: CompiledProducts, w: Weights, *,
              k: int = 10, chunk: int = 500) -> list[list[tuple[int, float]]]:
    """For each (need, facts) pair, the top-k eligible products as (product id, score)."""
    results: list[list[tuple[int, float]]] = []
    for start in range(0, len(needs), chunk):
        nd = needs[start:start + chunk]
        _ok, pairs, _f = _score_chunk(nd, facts[start:start + chunk], compiled, w)
        results.extend(_top_rows(len(nd), pairs, compiled.ids, k))
    return results


def shortlist(need: NeedSpec, facts: dict, compiled: CompiledProducts, w: Weights, *, k: int = 20,
              near_misses: int = 10) -> list[ProductSpec]:
    """The products worth explaining for one need: its top-k eligible ones and the ineligible ones
    that failed the fewest checks (ties: lower id). `rank` over this list explains them."""
    ok, pairs, failures = _score_chunk([need], [facts], compiled, w, count_failures=True)
    top = [pid for pid, _s in _top_rows(1, pairs, compiled.ids, k)[0]]
    missed = np.nonzero(~ok[0])[0]
    missed = missed[np.lexsort((compiled.ids[missed], failures[0][missed]))][:near_misses]
    by_id = {p.id: p for p in compiled.specs}
    return [by_id[pid] for pid in top] + [compiled.specs[j] for j in missed]
