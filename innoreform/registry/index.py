"""Innovation-capability index (技术流), formula version 1. Pure functions.

    index = Σ_f  weight_f × min(1, g_f(x_f) / g_f(saturation_f))        (0 ≤ index ≤ 100)

with the weights (summing to 100) and saturation points taken from the policy record
"registry.innovation_index" (innoreform.registry.policies.INDEX_DEFAULTS). g is log(1 + x) for
the count factors, whose first items matter most (invention patents, citations, other IP), and
the identity for the others. Factors and their raw values x_f:

| factor            | x_f                                                                    |
|-------------------|------------------------------------------------------------------------|
| invention_patents | valid invention patents                                                |
| citations         | forward citations summed over the enterprise's patents                 |
| family_size       | mean patent family size over its patents                               |
| ipc_breadth       | distinct IPC subclasses (4 characters, e.g. G06F) over its patents     |
| other_ip          | valid utility models, designs, software copyrights, layouts, varieties  |
| rd_intensity      | R&D expense / sales of the latest year, percent                        |
| rd_growth         | growth of R&D expense over the year before, percent (negative = 0)     |
| tech_staff_share  | technical staff / staff of the latest year, percent                    |
| awards            | best award in the last five years: national 1, provincial 0.6, city 0.3|
| qualifications    | valid qualifications summed (high-tech 0.5, little giant 0.5, ...)     |
| standards         | best standard led: international/national 1, industry 0.7, local 0.4   |

A missing value counts as 0. Each factor's contribution (its points) is stored with the score,
so a bank sees why. Percentiles are mid-rank percentiles within the enterprise's industry and
city: 100 × (number below + half the number equal) / group size.
"""

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass

from .policies import INDEX_FACTORS

LOG_FACTORS = frozenset({"invention_patents", "citations", "other_ip"})


@dataclass(frozen=True)
class IndexInputs:
    invention_patents: int = 0
    citations: int = 0
    family_size: float = 0.0
    ipc_breadth: int = 0
    other_ip: int = 0
    rd_intensity: float | None = None
    rd_growth: float | None = None
    tech_staff_share: float | None = None
    awards: float = 0.0
    qualifications: float = 0.0
    standards: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class IndexRules:
    version: int
    factors: tuple[tuple[str, float, float, bool], ...]  # (name, weight, g(saturation), log?)
    award_level_values: Mapping[str, float]
    qualification_values: Mapping[str, float]
    standard_level_values: Mapping[str, float]


def compile_index_rules(parameters: Mapping, *, version: int = 0) -> IndexRules:
    factors = []
    for name in INDEX_FACTORS:
        weight = float(parameters[name]["weight"])
        saturation = float(parameters[name]["saturation"])
        log = name in LOG_FACTORS
        factors.append((name, weight, math.log1p(saturation) if log else saturation, log))
    return IndexRules(
        version=version, factors=tuple(factors),
        award_level_values={k: float(v) for k, v in parameters["award_level_values"].items()},
        qualification_values={k: float(v) for k, v in parameters["qualification_values"].items()},
        standard_level_values={k: float(v) for k, v in parameters["standard_level_values"].items()},
    )


def contributions(inputs: IndexInputs, rules: IndexRules) -> dict[str, float]:
    out = {}
    for name, weight, top, log in rules.factors:
        raw = getattr(inputs, name) or 0
        if raw <= 0:
            out[name] = 0.0
            continue
        value = math.log1p(raw) if log else raw
        out[name] = round(weight * min(1.0, value / top), 4)
    return out


def score(inputs: IndexInputs, rules: IndexRules) -> tuple[float, dict[str, float]]:
    parts = contributions(inputs, rules)
    return round(sum(parts.values()), 2), parts


def score_many(rows: Sequence[IndexInputs], rules: IndexRules) -> list[tuple[float, dict[str, float]]]:
    return [score(row, rules) for row in rows]


def percentiles(values: Sequence[float], groups: Sequence[Hashable]) -> list[float]:
    """Mid-rank percentile of each value within its group, 0–100, two decimals."""
    members: dict[Hashable, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    out = [0.0] * len(values)
    for idx in members.values():
        ordered = sorted(idx, key=lambda i: values[i])
        n = len(ordered)
        start = 0
        while start < n:
            end = start
            v = values[ordered[start]]
            while end + 1 < n and values[ordered[end + 1]] == v:
                end += 1
            pct = round(100.0 * (start + (end - start + 1) / 2) / n, 2)
            for k in range(start, end + 1):
                out[ordered[k]] = pct
            start = end + 1
    return out


def ipc_subclasses(codes: str) -> set[str]:
    """'G06F 16/00; H04L 9/32' -> {'G06F', 'H04L'}."""
    found = set()
    for code in codes.replace(",", ";").split(";"):
        code = code.strip().upper().replace(" ", "")
        if len(code) >= 4 and code[0].isalpha() and code[1:3].isdigit() and code[3].isalpha():
            found.add(code[:4])
    return found
