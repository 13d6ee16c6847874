"""What the HTTP client knows about each host it talks to: its politeness state."""

from __future__ import annotations

import threading
import time


class Host:
    """Per-host politeness: an adaptive concurrency limit, a shared pause and a throttle breaker.

    The limit starts at ``per_host``, halves when the host throttles (429/503) and grows back
    by one after a run of successes (AIMD, as TCP does). A Retry-After pauses every worker on
    the host, not just the one that was told. After ``throttle_limit`` requests in a row end
    throttled, the host is left alone for ``cool_off`` seconds and requests to it fail fast.
    """

    def __init__(self, cap: int) -> None:
        self.cap = max(1, cap)
        self.limit = self.cap
        self.active = 0
        self.cond = threading.Condition()
        self.paused_until = 0.0
        self.successes = 0
        self.throttled_in_a_row = 0
        self.resting_until = 0.0
        self.next_start = 0.0  # with a rate cap: when the next request may start
        self.fast: float | None = None  # a low-percentile latency: what the host can do
        self.recent: float | None = None  # an exponential average of recent latency

    def acquire(self) -> float:
        """Take a slot; returns how long to wait before sending (a shared pause)."""
        with self.cond:
            while self.active >= self.limit:
                self.cond.wait()
            self.active += 1
            return self.paused_until - time.monotonic()

    def release(self) -> None:
        with self.cond:
            self.active -= 1
            self.cond.notify()

    def throttle(self, wait: float) -> None:
        with self.cond:
            self.limit = max(1, self.limit // 2)
            self.successes = 0
            self.paused_until = max(self.paused_until, time.monotonic() + wait)

    def success(self, latency: float) -> None:
        with self.cond:
            self.throttled_in_a_row = 0
            self.recent = latency if self.recent is None else 0.8 * self.recent + 0.2 * latency
            self.fast = latency if self.fast is None else min(latency, 0.99 * self.fast + 0.01 * latency)
            if self.recent > 4 * self.fast and self.recent > self.fast + 1.0:
                # The host slows down under our load: back off before it starts refusing.
                self.limit = max(1, self.limit - 1)
                self.recent = self.fast * 2
                self.successes = 0
                return
            self.successes += 1
            if self.limit < self.cap and self.successes >= 4 * self.limit:
                self.limit += 1
                self.successes = 0
                self.cond.notify()

    def pace(self, interval: float) -> float:
        """Book the next start ``interval`` after the previous one; seconds to wait for it."""
        with self.cond:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + interval
            return start - now

    def gave_up(self, limit: int, cool_off: float) -> None:
        """Count a request that stayed throttled; rest the host after ``limit`` in a row."""
        with self.cond:
            self.throttled_in_a_row += 1
            if self.throttled_in_a_row >= limit:
                self.resting_until = time.monotonic() + cool_off
                self.throttled_in_a_row = 0
