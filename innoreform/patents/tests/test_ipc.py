import pytest

from innoreform.patents.engine import ipc


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("H04L29/06", "H04L29/06"),
        ("H04L0029060000", "H04L29/06"),
        ("H04L  29/06", "H04L29/06"),
        ("H04L 29/06", "H04L29/06"),
        ("h04l 29/06", "H04L29/06"),
        ("H04L-29/06", "H04L29/06"),
        ("H04L 29-06", "H04L29/06"),
        ("Ｈ０４Ｌ２９／０６", "H04L29/06"),
        ("H04L 29/06 (2006.01)", "H04L29/06"),
        ("H04L29/06(2006.01)I", "H04L29/06"),
        ("G07F 9/10 20060101AFI20130528VHKR", "G07F9/10"),
        ("7C 07D 235:00 J", "C07D235/00"),
        ("C07D41700", "C07D417/00"),
        ("G01N03072", "G01N30/72"),
        ("C12N000902", "C12N9/02"),
        ("A01B0001020000", "A01B1/02"),
        ("G06F0003048800", "G06F3/0488"),
        ("G06F3/0488", "G06F3/0488"),
        ("B60R2011/0043", "B60R2011/0043"),
        ("H04L29", "H04L29/00"),
        ("A21D 13/", "A21D13/00"),
        ("H04L", "H04L"),
    ],
)
def test_every_common_spelling_parses_to_the_canonical_code(raw, code):
    assert ipc.parse(raw).code == code


@pytest.mark.parametrize("raw", ["", "XX12", "H04", "Z01B1/00", "H04L29/06/07", "H04Lfoo", "12345"])
def test_malformed_codes_are_rejected(raw):
    with pytest.raises(ipc.IpcError):
        ipc.parse(raw)


def test_parse_many_splits_deduplicates_and_reports_bad_tokens():
    codes, bad = ipc.parse_many("H04L29/06;;H04L 29/06 | G06F3/01; XX12；B64U10/00")
    assert [c.code for c in codes] == ["H04L29/06", "G06F3/01", "B64U10/00"]
    assert bad == ["XX12"]


def test_hierarchy_rolls_up_with_titles_from_the_scheme():
    levels = ipc.hierarchy("B64C 39/02")
    assert [lvl for lvl, _c, _t in levels] == ["section", "class", "subclass", "main_group", "subgroup"]
    assert [c for _l, c, _t in levels] == ["B", "B64", "B64C", "B64C39/00", "B64C39/02"]
    assert levels[3][2] == "Aircraft not otherwise provided for"
    assert levels[4][2] == "characterised by special use"
    assert ipc.parse("B64C39/02").scheme_key == "B64C0039020000"


def test_wipo_fields_longest_prefix_wins():
    assert len(ipc.wipo_fields()) == 35
    assert ipc.wipo_field("A61K8/02") == 14  # cosmetics: organic fine chemistry
    assert ipc.wipo_field("A61K31/00") == 16  # pharmaceuticals
    assert ipc.wipo_field("G06Q10/08") == 7  # IT methods for management
    assert ipc.wipo_field("G06F3/01") == 6
    assert ipc.wipo_field("B64U10/00") == 32  # supplement: newer subclass beside B64C
    assert ipc.wipo_fields()[32].name_zh == "运输"


def test_like_patterns_for_rules():
    assert ipc.like_pattern("B64U") == "B64U%"
    assert ipc.like_pattern("G05D 1/00") == "G05D1/%"
    assert ipc.like_pattern("G05D1") == "G05D1/%"
    assert ipc.like_pattern("B64C 39/02") == "B64C39/02%"
