"""Failed sign-in attempts, limited per client with exponential back-off — never for everybody.

A *client* is the address the request came from (behind a reverse proxy that the portal was told
to trust, the address the proxy names). ``max_failures`` failures of one client within
``window`` seconds lock that client out for ``lockout`` seconds; every further lockout of the
same client within ``memory`` seconds doubles the time, up to ``max_lockout``. Attempts during a
lockout are refused without looking at the token and do not extend it. A successful sign-in
clears the client's failures (not its record of lockouts).

Another client is never affected: an attacker's wrong tokens cannot lock a project team out (the
first version counted every failure for the whole portal). The state lives in the memory of the
portal process, which does every sign-in; it is bounded (``max_clients``, oldest forgotten first).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["AttemptLimiter"]


@dataclass
class _Client:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    lockouts: list[float] = field(default_factory=list)


@dataclass
class AttemptLimiter:
    """Count failed sign-ins per client; lock a client out with back-off (see the module docstring)."""

    max_failures: int = 5
    window: float = 600.0
    lockout: float = 60.0
    max_lockout: float = 3600.0
    memory: float = 86400.0
    max_clients: int = 100_000
    clock: Callable[[], float] = time.monotonic
    _clients: OrderedDict[str, _Client] = field(default_factory=OrderedDict, repr=False)

    def _entry(self, client: str, now: float) -> _Client:
        entry = self._clients.pop(client, None) or _Client()
        entry.failures = [t for t in entry.failures if now - t < self.window]
        entry.lockouts = [t for t in entry.lockouts if now - t < self.memory]
        self._clients[client] = entry  # most recently seen last
        while len(self._clients) > self.max_clients:
            self._clients.popitem(last=False)
        return entry

    def wait_seconds(self, client: str) -> float:
        """Seconds until ``client`` may try again (0 = now)."""
        now = self.clock()
        return max(0.0, self._entry(client, now).locked_until - now)

    def record_failure(self, client: str) -> float:
        """Count a failure of ``client``; returns the lockout that starts now (0 if none)."""
        now = self.clock()
        entry = self._entry(client, now)
        entry.failures.append(now)
        if len(entry.failures) >= self.max_failures:
            seconds = min(self.max_lockout, self.lockout * 2 ** len(entry.lockouts))
            entry.locked_until = now + seconds
            entry.lockouts.append(now)
            entry.failures = []
        return max(0.0, entry.locked_until - now)

    def record_success(self, client: str) -> None:
        """A valid sign-in: forget the client's failed attempts (lockouts stay remembered)."""
        self._entry(client, self.clock()).failures = []

    def __len__(self) -> int:
        return len(self._clients)
