import base64

import pytest

from comity.core import crypto


def test_round_trip_and_rewrap():
    data_key = crypto.new_data_key()
    blob = crypto.encrypt(data_key, b"bank records", b"file:1")
    assert b"bank records" not in blob
    wrapped = crypto.wrap_key(data_key)
    assert crypto.decrypt(crypto.unwrap_key(wrapped), blob, b"file:1") == b"bank records"
    new_master = bytes(range(32))
    rewrapped = crypto.rewrap_key(wrapped, crypto.master_key(), new_master)
    assert crypto.unwrap_key(rewrapped, new_master) == data_key
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_key(rewrapped)


def test_tampering_is_detected():
    key = crypto.new_data_key()
    blob = bytearray(crypto.encrypt(key, b"evidence"))
    blob[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(key, bytes(blob))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(key, crypto.encrypt(key, b"x", b"file:1"), b"file:2")


def test_master_key_validation():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        crypto.master_key(base64.b64encode(b"short").decode())
    assert len(crypto.master_key()) == 32
