"""Strategic emerging industry mapping: a rule table (IPC prefixes, exclusions, required keywords)
and the portable SQL that applies it.

A rule belongs to an industry and to one segment of that industry's chain (upstream, midstream,
downstream). A patent belongs to a rule when

- one of its IPC codes matches an ``include`` prefix and no ``exclude`` prefix of the rule, and
- if the rule lists keywords, its title or abstract contains at least one of them
  (case-insensitive); a rule with keywords and no IPC prefixes matches on keywords alone.

A patent belongs to an industry when it belongs to any of its rules. Rules are data: the Django
side stores them as versioned, approved rule sets; STARTER_RULES below is version 1.

IPC prefixes are written in any IPC spelling: a subclass (``B64U``), a main group (``G05D 1/00``
or ``G05D1``: every subgroup of it) or a subgroup (``B64C 39/02``: it and codes extending its
digits, e.g. ``B64C39/024``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ipc as ipc_mod

POSITIONS = ("upstream", "midstream", "downstream")


@dataclass(frozen=True)
class Rule:
    industry: str
    industry_zh: str
    industry_en: str
    segment: str
    segment_zh: str
    segment_en: str
    position: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    note: str = ""


@dataclass
class RuleProblems:
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)


def validate(rules: list[Rule]) -> RuleProblems:
    problems = RuleProblems()
    for index, rule in enumerate(rules):
        where = f"rule {index + 1} ({rule.industry}/{rule.segment})"
        if not rule.industry or not rule.segment:
            problems.add(where, "industry and segment codes are required")
        if rule.position not in POSITIONS:
            problems.add(where, f"position must be one of {', '.join(POSITIONS)}")
        if not rule.include and not rule.keywords:
            problems.add(where, "a rule needs IPC prefixes or keywords")
        for code in (*rule.include, *rule.exclude):
            try:
                ipc_mod.like_pattern(code)
            except ipc_mod.IpcError:
                problems.add(where, f"malformed IPC prefix {code!r}")
    return problems


def rule_tables(rules: list[Rule], industry: str | None = None) -> dict[str, list[tuple]]:
    """Rows of the four small tables the mapping SQL joins: rules, rule_inc, rule_exc, rule_kw."""
    tables: dict[str, list[tuple]] = {"rules": [], "rule_inc": [], "rule_exc": [], "rule_kw": []}
    for rule_id, rule in enumerate(rules, start=1):
        if industry and rule.industry != industry:
            continue
        tables["rules"].append((rule_id, rule.industry, rule.segment, rule.position,
                                bool(rule.keywords), bool(rule.include)))
        for code in rule.include:
            tables["rule_inc"].append((rule_id, ipc_mod.parse(code).subclass, ipc_mod.like_pattern(code)))
        for code in rule.exclude:
            tables["rule_exc"].append((rule_id, ipc_mod.parse(code).subclass, ipc_mod.like_pattern(code)))
        for word in rule.keywords:
            if word.strip():
                tables["rule_kw"].append((rule_id, word.strip().lower()))
    return tables


RULE_TABLE_COLUMNS = {
    "rules": [("rule_id", "INTEGER"), ("industry", "VARCHAR"), ("segment", "VARCHAR"), ("position", "VARCHAR"),
              ("needs_kw", "BOOLEAN"), ("has_ipc", "BOOLEAN")],
    "rule_inc": [("rule_id", "INTEGER"), ("subclass", "VARCHAR"), ("pattern", "VARCHAR")],
    "rule_exc": [("rule_id", "INTEGER"), ("subclass", "VARCHAR"), ("pattern", "VARCHAR")],
    "rule_kw": [("rule_id", "INTEGER"), ("keyword", "VARCHAR")],
}

# The membership query: (pid, industry, segment) for every patent in a rule. Portable SQL.
MEMBERSHIP_SQL = """
WITH ipc_hit AS (
  SELECT DISTINCT r.rule_id, i.pid
  FROM ipc i
  JOIN rule_inc r ON r.subclass = i.subclass AND i.code LIKE r.pattern
  WHERE NOT EXISTS (
    SELECT 1 FROM rule_exc e
    WHERE e.rule_id = r.rule_id AND e.subclass = i.subclass AND i.code LIKE e.pattern
  )
),
hit_text AS (
  SELECT p.pid, LOWER(COALESCE(p.title, '') || ' ' || COALESCE(p.abstract, '')) AS body
  FROM patents p
  WHERE p.pid IN (SELECT h.pid FROM ipc_hit h JOIN rules ru ON ru.rule_id = h.rule_id WHERE ru.needs_kw = TRUE)
),
kw_checked AS (
  SELECT DISTINCT h.rule_id, h.pid
  FROM ipc_hit h
  JOIN rules ru ON ru.rule_id = h.rule_id
  WHERE ru.needs_kw = FALSE
     OR EXISTS (
       SELECT 1 FROM rule_kw k JOIN hit_text t ON t.pid = h.pid
       WHERE k.rule_id = h.rule_id AND POSITION(k.keyword IN t.body) > 0
     )
),
kw_only AS (
  SELECT DISTINCT k.rule_id, p.pid
  FROM rule_kw k
  JOIN rules ru ON ru.rule_id = k.rule_id AND ru.has_ipc = FALSE
  JOIN patents p ON POSITION(k.keyword IN LOWER(COALESCE(p.title, '') || ' ' || COALESCE(p.abstract, ''))) > 0
)
SELECT DISTINCT m.pid, ru.industry, ru.segment
FROM (SELECT rule_id, pid FROM kw_checked UNION SELECT rule_id, pid FROM kw_only) m
JOIN rules ru ON ru.rule_id = m.rule_id
"""


def _r(industry, izh, ien, segment, szh, sen, position, include=(), exclude=(), keywords=(), note=""):
    return Rule(industry, izh, ien, segment, szh, sen, position, tuple(include), tuple(exclude),
                tuple(keywords), note)


UAV_WORDS = ("无人机", "无人飞行器", "无人驾驶飞行器", "多旋翼", "四旋翼", "uav", "drone", "unmanned aerial",
             "unmanned aircraft", "multicopter", "multi-rotor", "quadcopter", "quadrotor", "rpas")

# Starter set (version 1). Sources of the structure: 战略性新兴产业分类(2018) (国家统计局令第23号) for
# the industries; the IPC prefixes are this project's own reading of the IPC scheme, a starting point
# to be checked against CNIPA's 战略性新兴产业分类与国际专利分类参照关系表 before official use.
# Keywords narrow broad classes (e.g. navigation G01C 21) to the industry.
STARTER_RULES: list[Rule] = [
    # 无人机 (part of 高端装备制造 / 航空装备)
    _r("uav", "无人机", "Unmanned aerial vehicles", "flight_control", "飞控与导航", "Flight control and navigation",
       "upstream", ["G05D1/00", "G01C21/00", "G01S19/00", "G08G5/00"], keywords=UAV_WORDS),
    _r("uav", "无人机", "Unmanned aerial vehicles", "power", "动力与能源", "Propulsion and power", "upstream",
       ["B64D27/00", "B64D35/00", "H01M", "B60L53/00", "H02J7/00"], keywords=UAV_WORDS),
    _r("uav", "无人机", "Unmanned aerial vehicles", "datalink", "通信链路", "Data links", "upstream",
       ["H04B7/185", "H04W", "H04L67/00"], keywords=UAV_WORDS),
    _r("uav", "无人机", "Unmanned aerial vehicles", "airframe", "整机平台", "Airframes and platforms", "midstream",
       ["B64U", "B64C39/02"], note="B64U is the UAV subclass since IPC 2023.01; B64C 39/02 before it"),
    _r("uav", "无人机", "Unmanned aerial vehicles", "rotorcraft", "旋翼与飞行器结构", "Rotors and structures",
       "midstream", ["B64C27/00", "B64C29/00", "B64C25/00", "B64C1/00"], keywords=UAV_WORDS),
    _r("uav", "无人机", "Unmanned aerial vehicles", "payload", "任务载荷与航拍", "Payloads and imaging",
       "downstream", ["B64D47/00", "H04N", "G03B15/00", "G06T", "G06V"], keywords=UAV_WORDS),
    _r("uav", "无人机", "Unmanned aerial vehicles", "applications", "行业应用", "Applications (agriculture, delivery, "
       "inspection)", "downstream", ["B64D1/00", "A01M7/00", "A01B79/00", "G06Q10/00", "G06Q50/00", "G01N21/00"],
       keywords=UAV_WORDS),
    _r("uav", "无人机", "Unmanned aerial vehicles", "counter_uav", "反无人机与安全", "Counter-UAV and safety",
       "downstream", ["F41H11/00", "F41H13/00", "G01S13/00", "H04K3/00"], keywords=UAV_WORDS),
    # 新一代信息技术
    _r("ngit", "新一代信息技术", "New-generation information technology", "ic", "集成电路", "Integrated circuits",
       "upstream", ["H01L21/00", "H01L23/00", "H01L25/00", "H01L27/00", "H01L29/00", "H10B"]),
    _r("ngit", "新一代信息技术", "New-generation information technology", "display", "新型显示", "Displays",
       "midstream", ["G09G", "G02F1/00", "H10K", "H01L51/00"]),
    _r("ngit", "新一代信息技术", "New-generation information technology", "telecom", "新一代通信", "Telecom networks",
       "midstream", ["H04W", "H04B7/00", "H04L5/00", "H04L27/00"]),
    _r("ngit", "新一代信息技术", "New-generation information technology", "ai", "人工智能", "Artificial intelligence",
       "downstream", ["G06N", "G06V", "G06K9/00", "G10L15/00"]),
    _r("ngit", "新一代信息技术", "New-generation information technology", "cloud_data", "云计算与大数据",
       "Cloud and big data", "downstream", ["G06F16/00", "G06F9/50", "H04L67/00"]),
    # 高端装备制造
    _r("hee", "高端装备制造", "High-end equipment", "robots", "工业机器人", "Industrial robots", "midstream",
       ["B25J"]),
    _r("hee", "高端装备制造", "High-end equipment", "cnc", "智能制造与数控", "Smart manufacturing and CNC",
       "midstream", ["G05B19/00", "B23Q15/00", "B23Q17/00"]),
    _r("hee", "高端装备制造", "High-end equipment", "aero", "航空装备", "Aircraft", "midstream",
       ["B64C", "B64D", "B64F", "B64U"]),
    _r("hee", "高端装备制造", "High-end equipment", "rail", "轨道交通装备", "Rail equipment", "midstream",
       ["B61B", "B61C", "B61D", "B61F", "B61L"]),
    # 新材料
    _r("nmat", "新材料", "New materials", "metals", "先进金属材料", "Advanced metals", "upstream", ["C22C", "C22F"]),
    _r("nmat", "新材料", "New materials", "polymers", "先进高分子材料", "Advanced polymers", "upstream",
       ["C08F", "C08G", "C08L", "C08J"]),
    _r("nmat", "新材料", "New materials", "nano", "纳米材料与石墨烯", "Nanomaterials and graphene", "upstream",
       ["B82Y", "C01B32/00"]),
    _r("nmat", "新材料", "New materials", "ceramics", "先进无机非金属材料", "Advanced ceramics", "upstream",
       ["C04B35/00"]),
    # 生物
    _r("bio", "生物", "Biotechnology and medicine", "biologics", "生物药", "Biologics", "midstream",
       ["C07K", "C12N15/00", "A61K39/00"]),
    _r("bio", "生物", "Biotechnology and medicine", "chem_drugs", "化学药", "Chemical drugs", "midstream",
       ["A61K31/00", "A61P"]),
    _r("bio", "生物", "Biotechnology and medicine", "devices", "医疗器械", "Medical devices", "downstream",
       ["A61B", "A61M", "A61N", "A61F2/00"]),
    # 新能源汽车
    _r("nev", "新能源汽车", "New-energy vehicles", "battery", "动力电池", "Traction batteries", "upstream",
       ["H01M10/00", "H01M4/00", "H01M50/00"], keywords=("车", "vehicle", "电动", "electric car", "traction")),
    _r("nev", "新能源汽车", "New-energy vehicles", "drive", "电驱动与电控", "Electric drives", "midstream",
       ["B60L", "B60K6/00", "B60W20/00"]),
    _r("nev", "新能源汽车", "New-energy vehicles", "charging", "充电设施", "Charging", "downstream",
       ["B60L53/00", "H02J7/00"], keywords=("车", "vehicle", "charging pile", "充电桩", "charging station")),
    # 新能源
    _r("nen", "新能源", "New energy", "pv", "光伏", "Photovoltaics", "midstream", ["H02S", "H01L31/00", "H10F"]),
    _r("nen", "新能源", "New energy", "wind", "风电", "Wind power", "midstream", ["F03D"]),
    _r("nen", "新能源", "New energy", "hydrogen", "氢能与燃料电池", "Hydrogen and fuel cells", "midstream",
       ["C25B1/04", "H01M8/00", "C01B3/00"]),
    _r("nen", "新能源", "New energy", "storage", "储能", "Energy storage", "downstream", ["H02J3/28", "H02J3/32",
       "H02J15/00"]),
    # 节能环保
    _r("env", "节能环保", "Energy saving and environment", "air", "大气污染治理", "Air pollution control",
       "midstream", ["B01D53/00"]),
    _r("env", "节能环保", "Energy saving and environment", "water", "水污染治理", "Water treatment", "midstream",
       ["C02F"]),
    _r("env", "节能环保", "Energy saving and environment", "waste", "固体废物处理", "Solid waste", "midstream",
       ["B09B", "B09C"]),
    # 数字创意
    _r("dci", "数字创意", "Digital creative", "vr", "虚拟现实与增强现实", "VR and AR", "midstream",
       ["G06T19/00", "G02B27/01", "G06F3/01"]),
    _r("dci", "数字创意", "Digital creative", "content", "数字内容与游戏", "Digital content and games", "downstream",
       ["H04N21/00", "A63F13/00"]),
]


def industries(rules: list[Rule]) -> list[tuple[str, str, str]]:
    """(code, Chinese name, English name) of each industry, in rule order."""
    seen: dict[str, tuple[str, str, str]] = {}
    for rule in rules:
        seen.setdefault(rule.industry, (rule.industry, rule.industry_zh, rule.industry_en))
    return list(seen.values())


def segments(rules: list[Rule], industry: str) -> list[tuple[str, str, str, str]]:
    seen: dict[str, tuple[str, str, str, str]] = {}
    for rule in rules:
        if rule.industry == industry:
            seen.setdefault(rule.segment, (rule.segment, rule.segment_zh, rule.segment_en, rule.position))
    return list(seen.values())
