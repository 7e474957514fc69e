import datetime as dt

import pytest

from innoreform.patents.engine import normalize as n


@pytest.mark.parametrize(
    ("raw", "key", "kind"),
    [
        ("CN202223220665.2", "CN202223220665", ""),
        ("202121635235.X", "CN202121635235", ""),
        ("ZL 2012 1 0123456.7", "CN201210123456", ""),
        ("CN218751475U", "CN218751475", "U"),
        ("US 2013/0101709 A1", "US20130101709", "A1"),
        ("AT 33585 A 19850206", "AT33585", "A"),
        ("AU PO505497 D0", "AUPO505497", "D0"),
        ("EP1234567A1", "EP1234567", "A1"),
        ("PCT/GB2003/05429", "WOPCTGB200305429", ""),
    ],
)
def test_numbers_normalise(raw, key, kind):
    number = n.parse_number(raw)
    assert (number.key, number.kind) == (key, kind)


def test_kind_codes_normalise_to_a_b_u_s():
    assert n.kind_info("C", "CN") == ("B", "invention", True)
    assert n.kind_info("Y", "CN") == ("U", "utility", True)
    assert n.kind_info("D", "CN") == ("S", "design", True)
    assert n.kind_info("A", "CN") == ("A", "invention", False)
    assert n.kind_info("B2", "US") == ("B", "invention", True)
    assert n.kind_info("S", "US") == ("S", "design", True)
    assert n.patent_type("实用新型") == "utility"
    assert n.patent_type("发明授权") == "invention"


@pytest.mark.parametrize(
    ("raw", "order", "expected"),
    [
        ("20221202", "dmy", dt.date(2022, 12, 2)),
        ("2022-12-02", "dmy", dt.date(2022, 12, 2)),
        ("2022/12/2", "dmy", dt.date(2022, 12, 2)),
        ("2022年12月2日", "dmy", dt.date(2022, 12, 2)),
        ("2007-06-27T00:00:00Z", "dmy", dt.date(2007, 6, 27)),
        ("21.08.2009", "dmy", dt.date(2009, 8, 21)),
        ("07/08/02", "dmy", dt.date(2002, 8, 7)),
        ("08/07/02", "mdy", dt.date(2002, 8, 7)),
        (44000, "dmy", dt.date(2020, 6, 18)),
        ("", "dmy", None),
        ("0", "dmy", None),
    ],
)
def test_dates_in_common_formats(raw, order, expected):
    assert n.parse_date(raw, order=order, today=dt.date(2025, 1, 1)) == expected


def test_date_order_is_decided_per_column():
    assert n.date_order(["01/02/2020", "25/02/2020"]) == "dmy"
    assert n.date_order(["01/02/2020", "02/25/2020"]) == "mdy"
    with pytest.raises(n.FieldError):
        n.parse_date("31/02/2020")
    with pytest.raises(n.FieldError):
        n.parse_date("next tuesday")


def test_split_multi_never_splits_on_commas():
    assert n.split_multi("A;;B;C；D|E") == ["A", "B", "C", "D", "E"]
    assert n.split_multi("SMITH, JOHN;DOE, JANE") == ["SMITH, JOHN", "DOE, JANE"]


@pytest.mark.parametrize(
    ("name", "declared", "kind"),
    [
        ("深圳市大疆创新科技有限公司", "", "enterprise"),
        ("华南理工大学", "", "university"),
        ("中国科学院深圳先进技术研究院", "", "institute"),
        ("刘迪", "", "individual"),
        ("MARKOWETZ FRANZ", "", "individual"),
        ("SZ DJI TECHNOLOGY CO LTD", "", "enterprise"),
        ("UNIV BEIHANG", "", "university"),
        ("FRAUNHOFER GES FORSCHUNG", "", "institute"),
        ("中科大数据研究院", "科研机构", "institute"),
        ("某某", "企业", "enterprise"),
    ],
)
def test_applicant_classification(name, declared, kind):
    assert n.classify_applicant(name, declared) == kind


def test_name_keys_merge_spelling_variants():
    assert n.name_key("SZ DJI Technology Co., Ltd.") == n.name_key("SZ DJI TECHNOLOGY CO LTD")
    assert n.name_key("深圳市大疆创新科技有限公司") == n.name_key("深圳市大疆创新科技有限公司 ")
    assert n.name_key("Qualcomm Incorporated") == n.name_key("QUALCOMM INC")


def test_locate_guangdong_cities():
    assert n.locate(province_code="广东(44)", address="518057广东省深圳市南山区").city == "440300"
    assert n.locate(address="广东省广州市天河区中山大道西55号").city == "440100"  # not Zhongshan
    assert n.locate(address="528400广东省中山市火炬开发区").city == "442000"
    henan = n.locate(province_code="河南(41)", address="450000河南省郑州市")
    assert (henan.country, henan.province, henan.city) == ("CN", "41", "")
    by_name = n.locate(name="SZ DJI TECHNOLOGY CO LTD")
    assert (by_name.city, by_name.located_by) == ("440300", "name")
    assert n.locate(name="BOEING CO").country == ""
