"""The per-channel send rate: a dispatcher never sends faster than the setting allows."""

from __future__ import annotations

import pytest

from scheduler.dispatcher import RateGate


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_gate_spaces_sends_by_one_over_the_rate() -> None:
    time = FakeTime()
    gate = RateGate(4, sleep=time.sleep, clock=lambda: time.now)
    for _ in range(5):
        gate.wait()
    assert time.slept == pytest.approx([0.25] * 4)
    assert time.now == pytest.approx(101.0)


def test_time_already_spent_elsewhere_is_not_slept_again() -> None:
    time = FakeTime()
    gate = RateGate(4, sleep=time.sleep, clock=lambda: time.now)
    gate.wait()
    time.now += 0.2  # the send itself took 200 ms
    gate.wait()
    assert time.slept == pytest.approx([0.05])


def test_a_rate_of_zero_means_no_limit() -> None:
    time = FakeTime()
    gate = RateGate(0, sleep=time.sleep, clock=lambda: time.now)
    for _ in range(100):
        gate.wait()
    assert time.slept == []
