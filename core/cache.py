"""The cache, which lives in Redis with the broker: with Redis down a page must still work,
only slower (menu badges and dashboard figures computed afresh, progress not shown) — never a
500. Every cache call gives its "nothing cached" answer instead of raising, and connecting
gives up quickly so that a page does not wait on a dead server."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _tolerant(name: str, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(TolerantRedisCache, self), name)(*args, **kwargs)
        except RedisError:
            logger.warning("cache unavailable: %s skipped", name)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = name
    return method


def _default(key, default=None, *args, **kwargs):
    return default


class TolerantRedisCache(RedisCache):
    get = _tolerant("get", _default)
    set = _tolerant("set", None)
    add = _tolerant("add", False)
    touch = _tolerant("touch", False)
    delete = _tolerant("delete", False)
    has_key = _tolerant("has_key", False)
    get_many = _tolerant("get_many", lambda *a, **k: {})
    set_many = _tolerant("set_many", lambda *a, **k: [])
    delete_many = _tolerant("delete_many", None)
    clear = _tolerant("clear", None)
    # An increment that could not happen: the caller's counter stays as it was.
    incr = _tolerant("incr", 0)
    decr = _tolerant("decr", 0)
