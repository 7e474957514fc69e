"""Regions that matter to the measures: Guangdong's 21 prefecture-level cities and the other
regions whose institutions take part (Hong Kong, Macao, 京津冀, 长三角, rest of the mainland).

Codes for Guangdong cities are the GB/T 2260 administrative division codes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    GUANGZHOU = "440100", _("Guangzhou")
    SHAOGUAN = "440200", _("Shaoguan")
    SHENZHEN = "440300", _("Shenzhen")
    ZHUHAI = "440400", _("Zhuhai")
    SHANTOU = "440500", _("Shantou")
    FOSHAN = "440600", _("Foshan")
    JIANGMEN = "440700", _("Jiangmen")
    ZHANJIANG = "440800", _("Zhanjiang")
    MAOMING = "440900", _("Maoming")
    ZHAOQING = "441200", _("Zhaoqing")
    HUIZHOU = "441300", _("Huizhou")
    MEIZHOU = "441400", _("Meizhou")
    SHANWEI = "441500", _("Shanwei")
    HEYUAN = "441600", _("Heyuan")
    YANGJIANG = "441700", _("Yangjiang")
    QINGYUAN = "441800", _("Qingyuan")
    DONGGUAN = "441900", _("Dongguan")
    ZHONGSHAN = "442000", _("Zhongshan")
    CHAOZHOU = "445100", _("Chaozhou")
    JIEYANG = "445200", _("Jieyang")
    YUNFU = "445300", _("Yunfu")
    HONG_KONG = "HK", _("Hong Kong")
    MACAO = "MO", _("Macao")
    JING_JIN_JI = "JJJ", _("Beijing-Tianjin-Hebei")
    YANGTZE_DELTA = "YRD", _("Yangtze River Delta")
    OTHER_MAINLAND = "CN", _("Other mainland")


GUANGDONG_CITIES = frozenset(
    code for code in Region.values if code.isdigit() and code.startswith("44")
)
assert len(GUANGDONG_CITIES) == 21


def is_guangdong(region: str) -> bool:
    return region in GUANGDONG_CITIES


class RegionGroup(models.TextChoices):
    """Groups used by voucher reports: where an institution sits."""

    GUANGDONG = "GD", _("Guangdong")
    HONG_KONG = "HK", _("Hong Kong")
    MACAO = "MO", _("Macao")
    JING_JIN_JI = "JJJ", _("Beijing-Tianjin-Hebei")
    YANGTZE_DELTA = "YRD", _("Yangtze River Delta")
    OTHER_MAINLAND = "CN", _("Other mainland")


def region_group(region: str) -> str:
    return RegionGroup.GUANGDONG if is_guangdong(region) else region
