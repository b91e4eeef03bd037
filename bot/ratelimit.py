"""A sliding-window rate limit per user or client, shared by the front ends."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    """At most `limit` questions per key (a Telegram user, an API client) in any `window` seconds; 0: no limit."""

    limit: int = 10
    window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[Hashable, deque[float]] = field(default_factory=dict)
    _next_sweep: float = 0.0

    def wait(self, key: Hashable) -> float:
        """0 and count the question when the key may ask now; else the seconds until it may."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        if now >= self._next_sweep:  # forget keys that went quiet, so memory stays bounded
            self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < self.window}
            self._next_sweep = now + self.window
        times = self._seen.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return self.window - (now - times[0])
        times.append(now)
        return 0.0
