"""Parsers raise only their declared errors, whatever the input."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from innoreform.patents.engine import ipc
from innoreform.patents.engine import normalize as n
from innoreform.patents.engine.sources import detect_encoding

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.from_regex(
    r"[A-HZ]\s?\d{1,2}[A-Z]\s*\d{0,4}[/\-:.]?\d{0,6}.{0,3}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_ipc_parse_raises_only_ipc_error(raw):
    try:
        code = ipc.parse(raw)
    except ipc.IpcError:
        return
    assert ipc.parse(code.code) == code  # the canonical form parses to itself


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_number_and_date_parsers_raise_only_field_errors(raw):
    for fn in (n.parse_number, n.parse_date):
        try:
            fn(raw)
        except n.FieldError:
            pass
    n.split_multi(raw)
    n.classify_applicant(raw)
    n.locate(address=raw, name=raw, province_code=raw)
    assert n.parse_date("2020-02-29") == dt.date(2020, 2, 29)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_encoding_detection_always_answers(data):
    assert detect_encoding(data) in {"utf-8", "utf-8-sig", "utf-16", "gb18030", "latin-1"}
