"""Failed sign-ins: limited per client, with back-off, bounded memory."""

from __future__ import annotations

import pytest

from impact.apps.portal.limiter import AttemptLimiter

from .conftest import FakeClock


def test_locks_after_five_failures_and_unlocks() -> None:
    clock = FakeClock()
    lim = AttemptLimiter(clock=clock, lockout=60)
    for _ in range(4):
        assert lim.record_failure("a") == 0
        assert lim.wait_seconds("a") == 0
    assert lim.record_failure("a") == pytest.approx(60)
    clock.now += 30
    assert lim.wait_seconds("a") == pytest.approx(30)
    clock.now += 31
    assert lim.wait_seconds("a") == 0


def test_back_off_doubles_each_lockout_up_to_the_maximum() -> None:
    clock = FakeClock()
    lim = AttemptLimiter(clock=clock, lockout=60, max_lockout=300)
    seen = []
    for _ in range(5):
        for _ in range(4):
            lim.record_failure("a")
        seen.append(lim.record_failure("a"))
        clock.now += seen[-1] + 1
    assert seen == [60, 120, 240, 300, 300]


def test_window_forgets_old_failures() -> None:
    clock = FakeClock()
    lim = AttemptLimiter(clock=clock, window=600)
    for _ in range(4):
        lim.record_failure("a")
    clock.now += 601
    assert lim.record_failure("a") == 0
    assert lim.wait_seconds("a") == 0


def test_clients_are_separate_and_never_global() -> None:
    lim = AttemptLimiter(clock=FakeClock())
    for _ in range(100):
        lim.record_failure("10.0.0.1")
    assert lim.wait_seconds("10.0.0.1") > 0
    assert lim.wait_seconds("10.0.0.2") == 0


def test_success_clears_failures() -> None:
    lim = AttemptLimiter(clock=FakeClock())
    for _ in range(4):
        lim.record_failure("a")
    lim.record_success("a")
    assert lim.record_failure("a") == 0


def test_memory_is_bounded() -> None:
    lim = AttemptLimiter(clock=FakeClock(), max_clients=100)
    for i in range(1000):
        lim.record_failure(f"10.0.{i // 256}.{i % 256}")
    assert len(lim) == 100
