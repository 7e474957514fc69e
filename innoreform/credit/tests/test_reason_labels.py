"""Reason codes name registry columns in words, and leave an uploaded file's own columns as they are."""

import pytest
from django.utils import translation

from innoreform.credit import services


@pytest.mark.parametrize(("lang", "variable", "expected"), [
    ("en", "age_years", "Years since registration (< 3) lowered the score by 12 points"),
    ("zh-hans", "innovation_index", "创新能力指数"),
    ("en", "DisbursementGross", "DisbursementGross (< 3) lowered the score by 12 points"),
])
def test_reason_text_names_the_column(lang, variable, expected):
    with translation.override(lang):
        text = services.reason_text({"variable": variable, "bin": "< 3", "points_lost": 12})
    assert expected in text
