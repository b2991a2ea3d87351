"""A token bucket per process: at most ``per_minute`` sends in any sixty seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """One second's worth of sends may go at once (the burst); the rest of the minute's
    allowance refills evenly, so no sixty-second window holds more than ``per_minute``.
    ``per_minute`` 0 means no limit."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute = per_minute
        self.capacity = max(1, per_minute // 60)
        self.refill_per_second = max(per_minute - self.capacity, 1) / 60
        self.tokens = float(self.capacity)
        self.clock = clock
        self.sleep = sleep
        self.updated = clock()
        self.lock = threading.Lock()

    def take(self) -> float:
        """Wait until a send is allowed and use it up: the seconds waited."""
        if self.per_minute <= 0:
            return 0.0
        with self.lock:
            now = self.clock()
            self.tokens = min(
                self.capacity, self.tokens + (now - self.updated) * self.refill_per_second
            )
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            # Wait for the one token this send needs, then use it (whatever the sleep
            # overshot is given up: the bucket errs on the side of fewer sends).
            pause = (1 - self.tokens) / self.refill_per_second
            self.sleep(pause)
            self.tokens = 0.0
            self.updated = max(self.clock(), now + pause)
            return pause
