"""The navigation analysis of one industry: runs the indicator SQL and derives shares, RTA, growth,
concentration, life-cycle stage, clusters, white spaces, the industry-chain matrix, the regional
scorecard and recommendation lists (each item with its evidence)."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from pathlib import Path

from . import ipc as ipc_mod
from .indicators import DuckDBBackend, Window, connect, run
from .industries import Rule, rule_tables, segments
from .normalize import GD_CITIES

CITY_NAMES_ZH = {code: name for name, code in GD_CITIES.items()}
INCOMPLETE_MONTHS = 18


def last_complete_year(cutoff: dt.date) -> int:
    """Filings of year Y are complete once 18 months after its end have passed by the cutoff:
    the last 18-24 months before the data cutoff are flagged incomplete."""
    year = cutoff.year
    while True:
        months = (year + 1) * 12 + INCOMPLETE_MONTHS  # months since year 0 at which year Y is complete
        if dt.date(months // 12, months % 12 + 1, 1) <= cutoff + dt.timedelta(days=1):
            return year
        year -= 1


def cagr(first: float, last: float, years: int) -> float | None:
    if years <= 0 or first <= 0 or last <= 0:
        return None
    return (last / first) ** (1.0 / years) - 1.0


def _ratio(a, b) -> float | None:
    return (a / b) if a is not None and b else None


def _num(v) -> float:
    return float(v) if v is not None else 0.0


def landscape(dataset_dir: Path | str, *, rules: list[Rule], industry: str, aliases: list[tuple] = (),
              cutoff: dt.date | None = None, threads: int | None = None, memory_limit: str | None = None) -> dict:
    started = time.perf_counter()
    con = connect(dataset_dir, threads=threads, memory_limit=memory_limit)
    try:
        if cutoff is None:
            value = con.execute("SELECT MAX(COALESCE(pub_date, app_date)) FROM patents").fetchone()[0]
            cutoff = value or dt.date.today()
        window = Window(last_complete_year(cutoff))
        rows = run(DuckDBBackend(con), rule_rows=rule_tables(rules, industry), alias_rows=list(aliases),
                   window=window)
    finally:
        con.close()
    result = derive(rows, rules=rules, industry=industry, window=window, cutoff=cutoff)
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def derive(rows: dict[str, list[dict]], *, rules: list[Rule], industry: str, window: Window,
           cutoff: dt.date) -> dict:
    L = window.last_complete
    out: dict = {"industry": industry, "cutoff_date": cutoff.isoformat(), "last_complete_year": L,
                 "recent_window": list(window.recent), "prior_window": list(window.prior), "raw": rows}

    # Trends: incomplete years flagged; CAGR over the five complete years to L.
    for key in ("trend_app_year", "trend_priority_year"):
        series = rows[key]
        for item in series:
            item["incomplete"] = item["year"] > L
        out[key] = series
    by_year = {r["year"]: r for r in rows["trend_app_year"]}
    out["cagr_5y"] = {
        col: cagr(_num(by_year.get(L - 5, {}).get(col)), _num(by_year.get(L, {}).get(col)), 5)
        for col in ("world", "china", "guangdong")
    }

    # Regions: share and revealed technological advantage against China and the world.
    base = {r["region"]: r["n_all"] for r in rows["base_regions"]}
    regions = {r["region"]: r for r in rows["regions"]}
    world = regions.get("world", {"n": 0})
    world_n = _num(world.get("n"))
    world_all = _num(base.get("world"))
    for code, r in regions.items():
        n = _num(r["n"])
        r["share_world"] = _ratio(n, world_n)
        r["share_china"] = _ratio(n, _num(regions.get("CN", {}).get("n")))
        r["share_guangdong"] = _ratio(n, _num(regions.get("GD", {}).get("n"))) if code not in ("world", "CN") else None
        r["n_all"] = base.get(code, 0)
        r["rta"] = _ratio(_ratio(n, _num(base.get(code))), _ratio(world_n, world_all))
        r["grant_rate"] = _ratio(_num(r["inventions_granted"]), _num(r["inventions"]))
        r["in_force_share"] = _ratio(_num(r["in_force"]), _num(r["status_known"]))
        r["growth"] = cagr(_num(r["prior"]), _num(r["recent"]), window.span)
        r["name_zh"] = CITY_NAMES_ZH.get(code, "")
    out["regions"] = regions

    conc = rows["concentration"][0] if rows["concentration"] else {}
    out["concentration"] = conc

    # Life cycle: direction of patents and applicants between the prior and recent windows.
    life = {r["year"]: r for r in rows["lifecycle"]}
    def window_sum(col, span):
        return sum(_num(life.get(y, {}).get(col)) for y in range(span[0], span[1] + 1))
    p_recent, p_prior = window_sum("patents", window.recent), window_sum("patents", window.prior)
    a_recent, a_prior = window_sum("applicants", window.recent), window_sum("applicants", window.prior)
    out["lifecycle"] = {"series": rows["lifecycle"], "stage": lifecycle_stage(p_prior, p_recent, a_prior, a_recent),
                        "patents_recent": p_recent, "patents_prior": p_prior,
                        "applicants_recent": a_recent, "applicants_prior": a_prior}
    out["entrants"] = rows["entrants"]

    # Applicants and inventors.
    for a in rows["applicants"]:
        a["grant_rate"] = _ratio(_num(a["inventions_granted"]), _num(a["inventions"]))
        a["growth"] = cagr(_num(a["prior"]), _num(a["recent"]), window.span)
    out["top_applicants"] = rows["applicants"][:20]
    out["top_inventors"] = rows["inventors"][:20]
    out["top_cities"] = sorted(
        ({"city": c, "name_zh": CITY_NAMES_ZH.get(c, c), "n": r["n"]} for c, r in regions.items() if c.isdigit()),
        key=lambda x: (-x["n"], x["city"]))
    out["network"] = network(rows["network"])
    out["clusters"] = clusters(rows["ipc_nodes"], rows["ipc_edges"])
    out["white_spaces"] = white_spaces(rows["whitespace"], regions, window)
    out["matrix"] = chain_matrix(rows["matrix"], segments(rules, industry))
    out["heatmap"] = rows["heatmap"]
    out["fields"] = field_rta(rows["fields"], regions)
    out["scorecard"] = scorecard(regions, rows["city_leaders"])
    out["recommendations"] = recommendations(rows, out, window)
    return out


def lifecycle_stage(p_prior: float, p_recent: float, a_prior: float, a_recent: float) -> str:
    """A coarse reading of the applicant/patent curve (Harris-style life-cycle chart):
    emergence (few, both rising from a small base), growth (both rising), maturity (patents rising or flat,
    applicants flat or falling), decline (both falling)."""
    dp, da = p_recent - p_prior, a_recent - a_prior
    if dp > 0 and da > 0:
        return "emergence" if p_prior < 10 else "growth"
    if dp >= 0 >= da:
        return "maturity"
    if dp < 0 and da < 0:
        return "decline"
    return "consolidation" if dp < 0 else "maturity"


def network(edges: list[dict]) -> dict:
    degree: dict[str, int] = defaultdict(int)
    for e in edges:
        degree[e["source"]] += e["weight"]
        degree[e["target"]] += e["weight"]
    nodes = [{"name": n, "value": v} for n, v in sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"nodes": nodes, "links": edges}


def clusters(nodes: list[dict], edges: list[dict]) -> list[dict]:
    """Technology clusters: IPC main groups joined by co-occurrence, grouped by weighted label
    propagation over edges whose association strength (w / (n_i n_j) scaled) is above the median."""
    size = {n["main_group"]: n["n"] for n in nodes}
    strong = []
    for e in edges:
        if e["g1"] in size and e["g2"] in size:
            strength = e["weight"] / math.sqrt(size[e["g1"]] * size[e["g2"]])
            strong.append((e["g1"], e["g2"], strength, e["weight"]))
    if strong:
        cut = sorted(s[2] for s in strong)[(len(strong) * 3) // 4]
        strong = [s for s in strong if s[2] >= cut and s[3] >= 2]
    neighbours: dict[str, dict[str, float]] = defaultdict(dict)
    for a, b, s, _w in strong:
        neighbours[a][b] = s
        neighbours[b][a] = s
    label = {g: g for g in size}
    for _ in range(20):
        changed = False
        for g in sorted(size, key=lambda x: (-size[x], x)):
            if not neighbours[g]:
                continue
            score: dict[str, float] = defaultdict(float)
            for other, s in neighbours[g].items():
                score[label[other]] += s
            best = max(sorted(score), key=lambda lab: score[lab])
            if score[best] > score.get(label[g], 0) and best != label[g]:
                label[g] = best
                changed = True
        if not changed:
            break
    groups: dict[str, list[str]] = defaultdict(list)
    for g, lab in label.items():
        groups[lab].append(g)
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda x: (-size[x], x))
        out.append({"groups": [{"code": m, "n": size[m], "title": ipc_mod.short_title(m)} for m in members],
                    "n": sum(size[m] for m in members), "lead": members[0],
                    "lead_title": ipc_mod.short_title(members[0])})
    out.sort(key=lambda c: (-c["n"], c["lead"]))
    return out


def white_spaces(rows: list[dict], regions: dict, window: Window) -> list[dict]:
    """Fast-growing technology groups where Guangdong's share is below its share of the industry."""
    gd_share = _ratio(_num(regions.get("GD", {}).get("n")), _num(regions.get("world", {}).get("n"))) or 0.0
    scored = []
    for r in rows:
        growth = cagr(_num(r["prior"]) + 0.5, _num(r["recent"]) + 0.5, window.span)
        share = _ratio(_num(r["guangdong"]), _num(r["n"])) or 0.0
        scored.append({**r, "growth": growth, "gd_share": share, "title": ipc_mod.short_title(r["main_group"])})
    if not scored:
        return []
    growths = sorted(s["growth"] or 0.0 for s in scored)
    median = growths[len(growths) // 2]
    picked = [s for s in scored if (s["growth"] or 0.0) > max(median, 0.0) and s["gd_share"] < gd_share]
    for s in picked:
        s["evidence"] = {"patents": s["n"], "recent": s["recent"], "prior": s["prior"], "growth": s["growth"],
                         "guangdong_share": s["gd_share"], "guangdong_share_of_industry": gd_share,
                         "median_growth": median}
    picked.sort(key=lambda s: (-(s["growth"] or 0.0), -s["n"], s["main_group"]))
    return picked[:25]


def chain_matrix(rows: list[dict], segs: list[tuple[str, str, str, str]]) -> dict:
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        cells[r["segment"]][r["region"]] = r["n"]
    return {"segments": [{"code": s[0], "name_zh": s[1], "name_en": s[2], "position": s[3],
                          "cells": cells.get(s[0], {})} for s in segs],
            "regions": ["world", "CN", "GD", *sorted(GD_CITIES.values())]}


def field_rta(rows: list[dict], regions: dict) -> list[dict]:
    """Guangdong's share of each WIPO field within the industry, against its share of the industry."""
    fields = ipc_mod.wipo_fields()
    per: dict[int, dict[str, int]] = defaultdict(dict)
    for r in rows:
        per[r["field_id"]][r["region"]] = r["n"]
    world_n = _num(regions.get("world", {}).get("n"))
    gd_n = _num(regions.get("GD", {}).get("n"))
    out = []
    for fid, cells in sorted(per.items()):
        w, gd = _num(cells.get("world")), _num(cells.get("GD"))
        out.append({"field_id": fid, "name_en": fields[fid].name_en, "name_zh": fields[fid].name_zh,
                    "world": int(w), "china": cells.get("CN", 0), "guangdong": int(gd),
                    "gd_rta": _ratio(_ratio(gd, w), _ratio(gd_n, world_n))})
    return out


def scorecard(regions: dict, leaders: list[dict]) -> list[dict]:
    lead: dict[str, list[dict]] = defaultdict(list)
    for r in leaders:
        lead[r["city"]].append({"name": r["name"], "n": r["n"]})
    cards = []
    for code in sorted(GD_CITIES.values()):
        r = regions.get(code)
        if not r:
            cards.append({"city": code, "name_zh": CITY_NAMES_ZH[code], "n": 0, "leaders": []})
            continue
        cards.append({"city": code, "name_zh": CITY_NAMES_ZH[code], "n": r["n"],
                      "share_guangdong": r["share_guangdong"],
                      "rta": r["rta"], "growth": r["growth"], "cites_norm": r["cites_norm"],
                      "grant_rate": r["grant_rate"], "in_force_share": r["in_force_share"],
                      "applicants": r["applicants"], "leaders": lead.get(code, [])})
    ranked = sorted((c for c in cards if c["n"]), key=lambda c: (-c["n"], c["city"]))
    for rank, c in enumerate(ranked, start=1):
        c["rank"] = rank
    return cards


def recommendations(rows: dict, out: dict, window: Window) -> dict:
    apps = rows["applicants"]
    ws_groups = {w["main_group"] for w in out["white_spaces"]}
    groups_of: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows["applicant_groups"]:
        groups_of[r["name"]][r["main_group"]] = r["n"]

    def evidence(a: dict) -> dict:
        return {"patents": a["n"], "recent": a["recent"], "prior": a["prior"], "growth": a["growth"],
                "cites_norm": a["cites_norm"], "grant_rate": a["grant_rate"], "first_year": a["first_year"],
                "white_space_patents": sum(n for g, n in groups_of.get(a["name"], {}).items() if g in ws_groups)}

    cultivate = [a for a in apps if a["province"] == "44" and a["kind"] in ("enterprise", "other")
                 and _num(a["recent"]) > 0]
    cultivate.sort(key=lambda a: (-(_num(a["recent"]) - _num(a["prior"])), -_num(a["cites_norm"]), a["name"]))
    attract = [a for a in apps if a["province"] != "44" and a["kind"] in ("enterprise", "institute", "university")
               and _num(a["recent"]) > 0]
    attract.sort(key=lambda a: (-(_num(a["recent"]) + sum(n for g, n in groups_of.get(a["name"], {}).items()
                                                          if g in ws_groups)), a["name"]))
    inventors_gd = [i for i in rows["inventors"] if _num(i["n_guangdong"]) > 0]
    inventors_out = [i for i in rows["inventors"] if not _num(i["n_guangdong"]) and _num(i["recent"]) > 0]
    return {
        "cultivate": [{"name": a["name"], "city": a["city"], "kind": a["kind"], "evidence": evidence(a)}
                      for a in cultivate[:15]],
        "attract": [{"name": a["name"], "country": a["country"], "kind": a["kind"], "evidence": evidence(a)}
                    for a in attract[:15]],
        "inventors": [{"name": i["name"], "where": "guangdong" if _num(i["n_guangdong"]) else "outside",
                       "applicant": i["applicant"], "city": i["city"],
                       "evidence": {"patents": i["n"], "recent": i["recent"], "cites_norm": i["cites_norm"]}}
                      for i in (inventors_gd[:10] + inventors_out[:10])],
        "directions": [{"code": w["main_group"], "title": w["title"], "evidence": w["evidence"]}
                       for w in out["white_spaces"][:10]],
    }
