"""Field normalisation: patent numbers and kind codes, dates, multi-valued fields, applicant names,
applicant kinds and locations. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


class FieldError(ValueError):
    """A value that cannot be read; the message names what was wrong."""


def nfkc(value: object) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


# --- multi-valued fields ------------------------------------------------------------------------

_MULTI = re.compile(r"\s*(?:;;|[;；|\n\r])\s*")


def split_multi(value: object) -> list[str]:
    """Split names or numbers on ;; ; ； | and newlines (never on commas: "SMITH, JOHN")."""
    text = nfkc(value)
    if not text or text.upper() in {"NA", "N/A", "NONE", "NULL"}:
        return []
    out: list[str] = []
    for item in _MULTI.split(text):
        item = item.strip().strip(",").strip()
        if item and item.upper() not in {"NA", "N/A", "NONE"} and item not in out:
            out.append(item)
    return out


# --- numbers and kind codes ---------------------------------------------------------------------

@dataclass(frozen=True)
class PatentNumber:
    country: str
    number: str
    kind: str = ""

    @property
    def key(self) -> str:
        return f"{self.country}{self.number}"


_NUM_HEAD = re.compile(r"^([A-Z]{2})(?=[\s\-/]*[A-Z]{0,3}[\s\-/]*[A-Z]?[\s\-/]*\d)")
_CHECK_DIGIT = re.compile(r"\.\s*([0-9X])$")
_KIND_SPACED = re.compile(r"\s+([A-Z]\d?)$")
_KIND_TAIL = re.compile(r"(?<=\d)([A-Z]\d?)$")
_TRAILING_DATE = re.compile(r"\s+(\d{8}|\d{4}[-.]\d{2}[-.]\d{2})$")
_CN_APP = re.compile(r"^(?:(?:19|20)\d{2}[1-9]\d{7}|\d{8,9})$")


def parse_number(raw: object, *, default_country: str = "") -> PatentNumber:
    """Normalise an application, publication or priority number.

    "CN202223220665.2" -> CN 202223220665 (check digit dropped); "ZL 2012 1 0123456.7" -> CN...;
    "US 2013/0101709 A1" -> US 20130101709 kind A1; "AT 33585 A" -> AT 33585 kind A;
    "CN218751475U" -> CN 218751475 kind U; "AU19990050037" -> AU 19990050037.
    A trailing priority date ("AT 33585 A 19850206") is ignored.
    """
    text = nfkc(raw).upper()
    text = _TRAILING_DATE.sub("", text).strip()
    if not text:
        raise FieldError("empty number")
    text = text.replace("?", "").replace("\ufffd", "")
    if text.startswith("PCT/"):
        return PatentNumber("WO", "PCT" + re.sub(r"[^A-Z0-9]", "", text[4:]))
    if text.startswith("ZL"):
        text, default_country = text[2:].strip(), default_country or "CN"
    country = ""
    head = _NUM_HEAD.match(text)
    if head:
        country, text = head.group(1), text[head.end():].strip(" -")
    text = _CHECK_DIGIT.sub("", text)
    kind = ""
    spaced = _KIND_SPACED.search(text)
    if spaced:
        kind, text = spaced.group(1), text[: spaced.start()]
    else:
        text = text.replace(" ", "")
        tail = _KIND_TAIL.search(text)
        if tail:
            kind, text = tail.group(1), text[: tail.start()]
    number = re.sub(r"[\s/\-,.]", "", text)
    if not number or not re.fullmatch(r"[A-Z]{0,5}\d[\dA-Z]*", number):
        raise FieldError(f"not a patent number: {nfkc(raw)!r}")
    if not country:
        country = default_country or ("CN" if _CN_APP.match(number) else "")
    return PatentNumber(country, number, kind)


# Kind letter -> (normalised kind class, patent type, granted?) for CNIPA; other offices below.
_CN_KINDS = {
    "A": ("A", "invention", False), "B": ("B", "invention", True), "C": ("B", "invention", True),
    "U": ("U", "utility", True), "Y": ("U", "utility", True), "S": ("S", "design", True),
    "D": ("S", "design", True),
}
_OTHER_KINDS = {
    "A": ("A", "invention", False), "B": ("B", "invention", True), "C": ("B", "invention", True),
    "E": ("B", "invention", True), "U": ("U", "utility", True), "Y": ("U", "utility", True),
    "S": ("S", "design", True), "P": ("B", "plant", True), "T": ("A", "invention", False),
    "W": ("A", "invention", False),
}
_CN_TYPES = {
    "发明": "invention", "发明公开": "invention", "发明申请": "invention", "发明授权": "invention",
    "实用新型": "utility", "外观设计": "design", "外观": "design",
    "INVENTION": "invention", "UTILITY": "utility", "UTILITY MODEL": "utility", "DESIGN": "design",
    "PLANT": "plant", "REISSUE": "invention",
}


def kind_info(kind: str, country: str) -> tuple[str, str, bool] | None:
    """(kind class A/B/U/S, patent type, granted) for a kind code such as B2, U, C, S1."""
    kind = nfkc(kind).upper()
    if not kind:
        return None
    table = _CN_KINDS if country == "CN" else _OTHER_KINDS
    # US utility grants before 2001 carry "A": a US "A" is a grant only when told so by the source.
    return table.get(kind[0])


def patent_type(raw: object) -> str:
    text = nfkc(raw).upper()
    if not text:
        return ""
    if text in _CN_TYPES:
        return _CN_TYPES[text]
    for key, value in _CN_TYPES.items():
        if key in text:
            return value
    return ""


# --- dates --------------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T\s].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\.0)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


def date_order(values: list[str]) -> str:
    """Decide day-first or month-first for a column of a/b/y dates: 'dmy' unless only 'mdy' fits."""
    day_first_possible = month_first_possible = True
    for value in values:
        m = _DMY.match(nfkc(value))
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12:
            month_first_possible = False
        if b > 12:
            day_first_possible = False
    return "mdy" if month_first_possible and not day_first_possible else "dmy"


def _two_digit_year(y: int, pivot: int) -> int:
    return 2000 + y if y <= pivot else 1900 + y


def parse_date(raw: object, *, order: str = "dmy", today: dt.date | None = None) -> dt.date | None:
    """Read a date in any common format; None for blank or 0; FieldError when unreadable."""
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if raw == 0:
            return None
        if 19000101 <= raw <= 21001231:
            raw = str(int(raw))
        elif 1 <= raw < 80000:  # an Excel serial day number
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(raw))
    pivot = (today or dt.date.today()).year % 100
    return _parse_date_text(nfkc(raw), order, pivot)


@lru_cache(maxsize=65536)
def _parse_date_text(text: str, order: str, pivot: int) -> dt.date | None:
    if not text or text in {"0", "NA", "N/A", "-", "None", "null"}:
        return None
    try:
        m = _COMPACT.match(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _ISO.match(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DMY.match(text)
        if m:
            a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if len(m.group(3)) == 2:
                y = _two_digit_year(y, pivot)
            day, month = (a, b) if order == "dmy" else (b, a)
            return dt.date(y, month, day)
        m = _YEAR.match(text)
        if m:
            return dt.date(int(text), 1, 1)
    except ValueError as exc:
        raise FieldError(f"impossible date {text!r}") from exc
    raise FieldError(f"unreadable date {text!r}")


# --- applicant names and kinds ------------------------------------------------------------------

_SUFFIX_TEXT = [
    (r"\bCO\.?\s*,?\s*LTD\.?", "CO LTD"), (r"\bCOMPANY\b", "CO"), (r"\bLIMITED\b", "LTD"),
    (r"\bCORPORATION\b", "CORP"), (r"\bINCORPORATED\b", "INC"), (r"\bUNIVERSITY\b", "UNIV"),
    (r"\bTECHNOLOGIES\b", "TECH"), (r"\bTECHNOLOGY\b", "TECH"), (r"\bINSTITUTE\b", "INST"),
    (r"\bLABORATORIES\b", "LAB"), (r"\bLABORATORY\b", "LAB"), (r"\bINTERNATIONAL\b", "INT"),
]
_SUFFIXES = [(re.compile(pattern), repl) for pattern, repl in _SUFFIX_TEXT]
_NON_WORD = re.compile(r"[^\w\u4e00-\u9fff]+")
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def clean_name(raw: object) -> str:
    """A display form: NFKC (full-width to half-width), single spaces, Chinese brackets unified."""
    text = nfkc(raw).replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", " ", text).strip(" ,;")


def name_key(raw: object) -> str:
    """The matching key of an applicant name: spellings that differ only in case, punctuation,
    spacing or common legal-form abbreviations get the same key."""
    return _name_key(clean_name(raw))


@lru_cache(maxsize=262144)
def _name_key(name: str) -> str:
    text = name.upper()
    for pattern, repl in _SUFFIXES:
        text = pattern.sub(repl, text)
    text = _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()
    if _CJK.search(text):
        text = text.replace(" ", "")
    return text


KINDS = ("enterprise", "university", "institute", "individual", "other")
_UNIVERSITY = re.compile(r"大学|UNIV|COLLEGE|SCHOOL|HOCHSCHULE|UNIVERSIT|POLYTECHNIC|\bETH\b")
_UNIVERSITY_WEAK = re.compile(r"学院|学校|高校")  # after institutes: 中国科学院 is an academy
_INSTITUTE = re.compile(
    r"研究院|研究所|研究中心|科学院|实验室|工程中心|ACADEMY|\bINST\b|RESEARCH|\bLAB\b|CNRS|FRAUNHOFER|"
    r"MAX PLANCK|COUNCIL|CENTRE NAT|CENTER FOR|\bCSIC\b|\bCEA\b|\bINSERM\b|TNO\b|\bNASA\b|\bFORSCHUNG"
)
_ENTERPRISE = re.compile(
    r"公司|集团|厂|企业|株式会社|商行|合作社|\bCO\b|\bLTD\b|\bINC\b|\bCORP\b|\bLLC\b|\bGMBH\b|\bAG\b|\bSA\b|"
    r"\bSAS\b|\bSPA\b|\bS P A\b|\bBV\b|\bNV\b|\bAB\b|\bOY\b|\bAS\b|\bKK\b|\bPLC\b|\bLP\b|\bLLP\b|\bSRL\b|\bPTY\b|"
    r"INDUSTR|TECH\b|SYSTEMS|\bHOLDINGS?\b|\bGROUP\b|ENTERPRISE|\bKG\b|\bSE\b|\bAPS\b|\bPTE\b|\bSARL\b|\bGES\b"
)
_OTHER = re.compile(r"政府|委员会|管理局|局$|医院|协会|HOSPITAL|MINISTRY|GOVERNMENT|AGENCY|ASSOCIATION|FOUNDATION|"
                    r"\bNAVY\b|\bARMY\b|AIR FORCE|SECRETARY|\bDEPT\b")
_DECLARED = {
    "企业": "enterprise", "公司": "enterprise", "工矿企业": "enterprise", "大专院校": "university",
    "高等院校": "university", "院校": "university", "高校": "university", "科研机构": "institute",
    "科研单位": "institute", "个人": "individual", "机关团体": "other", "事业单位": "other",
}


@lru_cache(maxsize=262144)
def classify_applicant(name: str, declared: str = "") -> str:
    """enterprise / university / institute / individual / other, from a declared type when the
    source has one (CNIPA 申请人类型), otherwise from the name."""
    declared = nfkc(declared)
    for key, kind in _DECLARED.items():
        if declared and key in declared:
            return kind
    key = name_key(name)
    if not key:
        return "other"
    if _UNIVERSITY.search(key):
        return "university"
    if _INSTITUTE.search(key):
        return "institute"
    if _UNIVERSITY_WEAK.search(key):
        return "university"
    if _ENTERPRISE.search(key):
        return "enterprise"
    if _OTHER.search(key):
        return "other"
    if re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", key):
        return "individual"
    if re.fullmatch(r"[A-Z][A-Z'\-]*( [A-Z][A-Z'\-]*){1,4}", key):
        return "individual"
    return "other"


# --- locations ----------------------------------------------------------------------------------

PROVINCES = {
    "北京": "11", "天津": "12", "河北": "13", "山西": "14", "内蒙古": "15", "辽宁": "21", "吉林": "22",
    "黑龙江": "23", "上海": "31", "江苏": "32", "浙江": "33", "安徽": "34", "福建": "35", "江西": "36",
    "山东": "37", "河南": "41", "湖北": "42", "湖南": "43", "广东": "44", "广西": "45", "海南": "46",
    "重庆": "50", "四川": "51", "贵州": "52", "云南": "53", "西藏": "54", "陕西": "61", "甘肃": "62",
    "青海": "63", "宁夏": "64", "新疆": "65", "台湾": "71", "香港": "81", "澳门": "82",
}
GD_CITIES = {
    "广州": "440100", "韶关": "440200", "深圳": "440300", "珠海": "440400", "汕头": "440500",
    "佛山": "440600", "江门": "440700", "湛江": "440800", "茂名": "440900", "肇庆": "441200",
    "惠州": "441300", "梅州": "441400", "汕尾": "441500", "河源": "441600", "阳江": "441700",
    "清远": "441800", "东莞": "441900", "中山": "442000", "潮州": "445100", "揭阳": "445200",
    "云浮": "445300",
}
GD_CITY_PINYIN = {
    "GUANGZHOU": "440100", "SHAOGUAN": "440200", "SHENZHEN": "440300", "ZHUHAI": "440400",
    "SHANTOU": "440500", "FOSHAN": "440600", "JIANGMEN": "440700", "ZHANJIANG": "440800",
    "MAOMING": "440900", "ZHAOQING": "441200", "HUIZHOU": "441300", "MEIZHOU": "441400",
    "SHANWEI": "441500", "HEYUAN": "441600", "YANGJIANG": "441700", "QINGYUAN": "441800",
    "DONGGUAN": "441900", "CHAOZHOU": "445100", "JIEYANG": "445200", "YUNFU": "445300",
    "SZ": "440300", "SUN YAT SEN": "440100", "SOUTH CHINA UNIV": "440100", "JINAN UNIV": "440100",
}
# District names that often stand without their city in addresses.
GD_DISTRICTS = {
    "南山区": "440300", "福田区": "440300", "宝安区": "440300", "龙岗区": "440300", "龙华区": "440300",
    "罗湖区": "440300", "光明区": "440300", "坪山区": "440300", "天河区": "440100", "番禺区": "440100",
    "黄埔区": "440100", "海珠区": "440100", "白云区": "440100", "越秀区": "440100", "南沙区": "440100",
    "花都区": "440100", "增城区": "440100", "从化区": "440100", "顺德区": "440600", "南海区": "440600",
    "禅城区": "440600", "香洲区": "440400", "横琴": "440400", "松山湖": "441900",
}
CN_PINYIN = re.compile(
    r"\b(CHINA|BEIJING|SHANGHAI|TIANJIN|CHONGQING|GUANGDONG|ZHEJIANG|JIANGSU|SHANDONG|HUBEI|HUNAN|"
    r"SICHUAN|FUJIAN|ANHUI|HENAN|HEBEI|SHAANXI|SHANXI|LIAONING|JILIN|HEILONGJIANG|JIANGXI|GUANGXI|YUNNAN|"
    r"GUIZHOU|HANGZHOU|NANJING|WUHAN|CHENGDU|XIAMEN|SUZHOU|HEFEI|XIAN|QINGDAO|TSINGHUA|PEKING|HUAWEI|"
    r"ZHONGXING|ZTE|BYD|XIAOMI|TENCENT|ALIBABA|BAIDU)\b"
)
_PROVINCE_CODE = re.compile(r"(\d{2})(?:\d{4})?")


@dataclass(frozen=True)
class Location:
    country: str = ""
    province: str = ""
    city: str = ""
    located_by: str = ""


def locate(*, province_code: object = "", address: object = "", name: object = "", country: object = "") -> Location:
    """Find country, province (2-digit GB/T 2260) and Guangdong city (6-digit) of an applicant.

    Order: the CNIPA 国省代码 ("广东(44)", "44", "440300") and the address (province and city names,
    Guangdong districts), then the name (Chinese or pinyin city names, e.g. "SZ DJI TECHNOLOGY").
    """
    prov = ""
    city = ""
    how = ""
    code_text = nfkc(province_code)
    m = _PROVINCE_CODE.search(code_text)
    if m and m.group(1) in PROVINCES.values():
        prov, how = m.group(1), "province_code"
        if len(m.group(0)) == 6 and m.group(0) in GD_CITIES.values():
            city = m.group(0)
    elif code_text:
        for pname, pcode in PROVINCES.items():
            if pname in code_text:
                prov, how = pcode, "province_code"
                break
    addr = nfkc(address)
    if addr:
        if not prov:
            best = None
            for pname, pcode in PROVINCES.items():
                pos = addr.find(pname)
                if pos >= 0 and (best is None or pos < best[0]):
                    best = (pos, pcode)
            if best:
                prov, how = best[1], "address"
        if prov in ("", "44") and not city:
            city = _gd_city_in_text(addr)
            if city:
                prov, how = "44", how or "address"
    label = nfkc(name)
    if not city and prov in ("", "44") and label:
        found = _gd_city_in_text(label) or _gd_city_pinyin(label)
        if found:
            city, prov, how = found, "44", how or "name"
    if not prov and label:
        for pname, pcode in PROVINCES.items():
            if label.startswith(pname) or (pname + "省") in label or (pname + "市") in label:
                prov, how = pcode, "name"
                break
    ctry = nfkc(country).upper()[:2]
    if prov:
        ctry = {"71": "TW", "81": "HK", "82": "MO"}.get(prov, "CN")
    elif not ctry and label:
        if CN_PINYIN.search(label.upper()) or re.search(r"有限公司|大学|研究院|研究所", label):
            ctry, how = "CN", how or "name"
    return Location(ctry, prov, city, how if (prov or city or ctry) else "")


def _gd_city_in_text(text: str) -> str:
    best = None
    for cname, code in GD_CITIES.items():
        for needle in (cname + "市", cname):
            pos = text.find(needle)
            if pos >= 0:
                # "中山" inside a road name ("中山路") is not the city: demand 市 there.
                if needle == "中山" and not re.search(r"中山(市|火炬|港)", text):
                    continue
                if best is None or pos < best[0]:
                    best = (pos, code)
                break
    if best:
        return best[1]
    for district, code in GD_DISTRICTS.items():
        if district in text:
            return code
    return ""


def _gd_city_pinyin(text: str) -> str:
    upper = " " + re.sub(r"[^A-Z ]+", " ", text.upper()) + " "
    for word, code in GD_CITY_PINYIN.items():
        if f" {word} " in upper:
            return code
    return ""


# --- legal status -------------------------------------------------------------------------------

def in_force(raw: object) -> bool | None:
    """True/False from a legal-status text (有权/无权/审中, alive/dead), None when unknown."""
    text = nfkc(raw).upper()
    if not text:
        return None
    if text.startswith("有权") or "ACTIVE" in text or "ALIVE" in text or "IN FORCE" in text or "GRANTED" in text:
        return True
    if text.startswith("无权") or any(w in text for w in ("失效", "撤回", "驳回", "放弃", "DEAD", "EXPIRED",
                                                         "LAPSED", "WITHDRAWN", "REVOKED", "INACTIVE")):
        return False
    return None
