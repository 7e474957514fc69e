"""Reason codes in plain language (Chinese and English) for the command line and exports.
The portal renders the same codes through Django's gettext (innoreform.credit.services)."""

from __future__ import annotations

TEMPLATES = {
    "en": "{variable} ({bin}) lowered the score by {points} points",
    "zh": "{variable}（{bin}）使评分降低 {points} 分",
}
BIN_WORDS = {"zh": {"missing": "缺失", "unseen": "训练中未出现的类别"}, "en": {}}


def reason_text(reason: dict, lang: str = "en") -> str:
    lang = "zh" if lang.lower().startswith("zh") else "en"
    b = reason.get("bin", "")
    b = BIN_WORDS[lang].get(b, b)
    return TEMPLATES[lang].format(variable=reason["variable"], bin=b, points=reason["points_lost"])
