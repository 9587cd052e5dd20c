"""The cache backend: Redis, and this process's memory while Redis cannot be reached.

The cache holds nothing that must survive: allauth's rate limits (failed logins, sign-ups,
password resets) and the locks around them. Django's Redis backend raises `ConnectionError`
into every request that touches it, so with Redis down nobody could log in. Three ways out:

- Fail open (a read is a miss, a write does nothing): logins work, but the rate limits are
  off for as long as Redis is down - an outage would be the moment to guess passwords - and
  `add()` would have to pretend success, or allauth's cache lock waits a second and refuses.
- Keep the rate limits in the database (`DatabaseCache`): no Redis needed to log in, but a
  table outside the migrations (`createcachetable`) and a write to the main database on
  every login attempt, to protect against an outage that is rare and short.
- Chosen: fall back to a local-memory cache of the process. Logins and pages work, and the
  limits still hold within each process (with N web processes at most N times the limit).
  What was counted during the outage is forgotten when Redis answers again; for rate
  limits that only means a fresh count.

After a failure Redis is left alone for `RETRY_AFTER` seconds, so requests during an outage
do not each wait for a connection time-out (the short socket time-outs are in the settings).
The outage is logged as one warning line when it starts and again every `LOG_EVERY` seconds
while it lasts, per process, without a traceback; its end is logged once.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0
LOG_EVERY = 300.0
# Rate-limit counters are small; a generous cap keeps a flood of addresses from culling them.
FALLBACK_MAX_ENTRIES = 10_000


class _Outage:
    """Whether Redis is considered down in this process, and when it was last logged."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.retry_at = 0.0
        self.logged_at = 0.0

    def skip_redis(self) -> bool:
        return self.since is not None and time.monotonic() < self.retry_at

    def failed(self, error: RedisError) -> None:
        now = time.monotonic()
        self.retry_at = now + RETRY_AFTER
        if self.since is None:
            self.since = self.logged_at = now
            logger.warning(
                "cache: Redis unreachable (%s); using this process's memory, retrying every %.0f s", error, RETRY_AFTER
            )
        elif now - self.logged_at >= LOG_EVERY:
            self.logged_at = now
            logger.warning("cache: Redis still unreachable after %.0f s (%s)", now - self.since, error)

    def answered(self) -> None:
        if self.since is not None:
            logger.info("cache: Redis reachable again after %.0f s", time.monotonic() - self.since)
            self.since = None


# One state and one memory per Redis location and process: Django makes a backend per thread.
_outages: dict[str, _Outage] = {}


class FallbackRedisCache(RedisCache):
    """Django's Redis cache that answers from this process's memory while Redis is down."""

    def __init__(self, server, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        location = server if isinstance(server, str) else ",".join(server)
        self._outage = _outages.setdefault(location, _Outage())
        local = {key: value for key, value in params.items() if key != "OPTIONS"}
        local["OPTIONS"] = {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES}
        self._fallback = LocMemCache(f"bridges.cache fallback for {location}", local)

    def _either(self, method: str, *args, **kwargs):
        if not self._outage.skip_redis():
            try:
                result = getattr(super(), method)(*args, **kwargs)
            except RedisError as error:
                self._outage.failed(error)
            else:
                self._outage.answered()
                return result
        return getattr(self._fallback, method)(*args, **kwargs)

    def ping(self) -> None:
        """Raise `RedisError` unless Redis answers (for the health check; no fallback)."""
        self._cache.get_client(write=True).ping()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._either("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._either("delete", key, version)

    def get_many(self, keys, version=None):
        return self._either("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._either("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._either("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._either("delete_many", keys, version)

    def clear(self):
        return self._either("clear")
