"""The attempt limiter: counted before the check, one turn per lock, a higher budget for client addresses."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings

from comity.core import ratelimit

FREE = 5
BASE = 60


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FREE_ATTEMPTS = FREE
    settings.LOGIN_IP_FREE_ATTEMPTS = 4 * FREE
    settings.LOGIN_BASE_LOCK_SECONDS = BASE
    settings.LOGIN_MAX_LOCK_SECONDS = 3600


def _count(scope, value):
    return cache.get(ratelimit._key(scope, value))


def _lift_lock(scope, value):
    """Stand in for the lock's time passing."""
    cache.delete(ratelimit._lock_key(ratelimit._key(scope, value)))


def test_free_attempts_then_one_attempt_per_lock_with_a_doubling_delay():
    pairs = [("t-acct", "k")]
    for number in range(1, FREE):
        attempt = ratelimit.attempt(pairs)
        assert (attempt.allowed, attempt.armed) == (True, ())
        assert _count("t-acct", "k") == number
    fifth = ratelimit.attempt(pairs)
    assert fifth.allowed is True
    assert fifth.armed == (ratelimit._lock_key(ratelimit._key("t-acct", "k")),)
    lock = ratelimit.check(pairs)
    assert lock.locked is True
    assert round(lock.retry_at - time.time()) == BASE
    # While the lock stands, attempts are refused and not counted (waiting does not lengthen the lock).
    for _ in range(3):
        refused = ratelimit.attempt(pairs)
        assert refused.allowed is False
        assert refused.lock == lock
    assert _count("t-acct", "k") == FREE
    _lift_lock("t-acct", "k")
    sixth = ratelimit.attempt(pairs)
    assert sixth.allowed is True
    assert round(ratelimit.check(pairs).retry_at - time.time()) == 2 * BASE
    _lift_lock("t-acct", "k")
    assert ratelimit.attempt(pairs).allowed is True
    assert round(ratelimit.check(pairs).retry_at - time.time()) == 4 * BASE


def test_lock_is_capped():
    assert ratelimit.lock_seconds(0) == BASE
    assert ratelimit.lock_seconds(5) == 32 * BASE
    assert ratelimit.lock_seconds(6) == 3600
    assert ratelimit.lock_seconds(10_000) == 3600


def test_client_addresses_get_the_higher_budget():
    assert ratelimit.free_attempts("login-acct") == FREE
    assert ratelimit.free_attempts("otp-acct") == FREE
    assert ratelimit.free_attempts("login-ip") == 4 * FREE
    assert ratelimit.free_attempts("otp-ip") == 4 * FREE


@override_settings()
def test_client_budget_defaults_to_ten_times_the_account_budget(settings):
    del settings.LOGIN_IP_FREE_ATTEMPTS
    assert ratelimit.free_attempts("login-ip") == 10 * FREE


def test_success_resets_the_account_and_gives_the_attempt_back_to_the_address():
    pairs = [("login-acct", "a@example.test"), ("login-ip", "192.0.2.1")]
    ratelimit.attempt(pairs)
    ratelimit.attempt(pairs)
    attempt = ratelimit.attempt(pairs)
    assert (_count("login-acct", "a@example.test"), _count("login-ip", "192.0.2.1")) == (3, 3)
    ratelimit.succeeded(attempt, reset_scopes={"login-acct"})
    assert (_count("login-acct", "a@example.test"), _count("login-ip", "192.0.2.1")) == (None, 2)


def test_a_success_that_armed_the_address_lock_lifts_it():
    pairs = [("login-ip", "192.0.2.2")]
    for _ in range(4 * FREE - 1):
        ratelimit.attempt(pairs)
    attempt = ratelimit.attempt(pairs)
    assert attempt.armed and ratelimit.check(pairs).locked
    ratelimit.succeeded(attempt)
    assert ratelimit.check(pairs).locked is False
    assert _count("login-ip", "192.0.2.2") == 4 * FREE - 1


def test_a_key_in_turn_refuses_the_attempt_even_if_another_key_is_free():
    ratelimit.attempt([("t-acct", "x")])
    for _ in range(FREE):
        ratelimit.attempt([("t-acct", "y")])
    attempt = ratelimit.attempt([("t-acct", "x"), ("t-acct", "y")])
    assert attempt.allowed is False
    assert attempt.lock.locked is True


def test_empty_values_are_not_limited():
    for _ in range(3 * FREE):
        assert ratelimit.attempt([("login-ip", "")]).allowed is True
    assert ratelimit.check([("login-ip", "")]).locked is False


def test_keys_hold_no_address_in_clear():
    ratelimit.attempt([("login-acct", "Someone@Example.test")])
    key = ratelimit._key("login-acct", "someone@example.test")
    assert "someone" not in key and "example" not in key
    assert cache.get(key) == 1  # case and spaces do not make a fresh key
    ratelimit.attempt([("login-acct", " SOMEONE@example.test ")])
    assert cache.get(key) == 2


def test_a_parallel_burst_gets_exactly_the_free_attempts_through():
    """50 threads at once against one key (one process: the multi-process test is in accounts/tests)."""
    barrier = threading.Barrier(50)
    allowed = []

    def guess():
        barrier.wait()
        allowed.append(ratelimit.attempt([("t-acct", "burst")]).allowed)

    threads = [threading.Thread(target=guess) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(allowed) == [False] * 45 + [True] * 5
    assert ratelimit.check([("t-acct", "burst")]).locked is True


def test_hit_counts_a_fixed_window():
    assert [ratelimit.hit("reset-acct", "a@example.test", limit=3, window=60) for _ in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert ratelimit.hit("reset-acct", "b@example.test", limit=3, window=60) is True
    assert ratelimit.hit("reset-ip", "", limit=0, window=60) is True


def test_reset_clears_count_and_lock():
    for _ in range(FREE):
        ratelimit.attempt([("t-acct", "r")])
    assert ratelimit.status("t-acct", "r").locked is True
    ratelimit.reset("t-acct", "r")
    assert ratelimit.status("t-acct", "r").locked is False
    assert _count("t-acct", "r") is None


def test_lock_reports_when_to_retry():
    lock = ratelimit.Lock(True, time.time() + 30.5)
    assert lock.retry_after_seconds == 31
    assert lock.retry_at_datetime.tzinfo is not None


def test_a_counter_that_expires_between_creation_and_increment_is_created_again():
    real_incr = cache.incr
    calls = []

    def incr_once_expired(key, delta=1):
        calls.append(key)
        if len(calls) == 1:
            cache.delete(key)
        return real_incr(key, delta)

    with mock.patch.object(cache, "incr", side_effect=incr_once_expired):
        assert ratelimit.attempt([("t-acct", "expiring")]).allowed is True
    assert len(calls) == 2
    assert _count("t-acct", "expiring") == 1


def test_giving_back_an_attempt_whose_counter_expired_is_harmless():
    attempt = ratelimit.attempt([("login-ip", "192.0.2.3")])
    cache.clear()
    ratelimit.succeeded(attempt)
    assert _count("login-ip", "192.0.2.3") is None


def test_an_attempt_that_cannot_take_the_turn_is_refused():
    """The race the multi-process tests exercise, made deterministic: the turn is held, the check saw no lock."""
    for _ in range(FREE - 1):
        ratelimit.attempt([("t-acct", "turn")])
    key = ratelimit._lock_key(ratelimit._key("t-acct", "turn"))
    cache.set(key, time.time() - 1, 60)  # held, with a retry time already past (e.g. another host's clock)
    attempt = ratelimit.attempt([("t-acct", "turn")])
    assert (attempt.allowed, attempt.armed, attempt.lock.locked) == (False, (), True)
    assert _count("t-acct", "turn") == FREE
