"""Time-stamp responses and tokens that are refused or damaged (no TSA or openssl needed)."""

import pytest

from innoreform.ledger import tsa


@pytest.mark.parametrize("token", [b"", b"\x30\x03\x02\x01\x00", b"not DER at all", b"\x30\x84\xff\xff\xff\xff"])
def test_damaged_tokens_raise_tsa_error(token):
    with pytest.raises(tsa.TsaError):
        tsa.token_info(token)


def test_refusal_and_garbage_responses():
    rejection = bytes.fromhex("3005" "3003020102")  # TimeStampResp { status: rejection }, no token
    with pytest.raises(tsa.TsaError):
        tsa.token_from_response(rejection)
    with pytest.raises(tsa.TsaError):
        tsa.token_from_response(b"\x00garbage")


def test_request_is_sha256_with_a_nonce():
    import hashlib

    query, nonce = tsa.request_der(b"checkpoint\n")
    assert isinstance(nonce, int) and nonce > 0
    assert bytes.fromhex("0609608648016503040201") in query  # the SHA-256 algorithm identifier
    assert hashlib.sha256(b"checkpoint\n").digest() in query
