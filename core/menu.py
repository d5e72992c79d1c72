"""The menu's badges (待我审批, my rejected requests), kept per user in the cache.

They are drawn on every page; counted afresh, they were a quarter of a cached dashboard's time.
Every service that makes or decides a request calls `badges_changed()`, which moves one
version number on commit, so no badge outlives a change made through the application; the
time limit covers what moves with the clock alone (a rejection leaving the 7-day window). When
the cache cannot be reached the badges are counted as before: the page never fails for them.
"""

import logging

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "menu-badges-version"
BADGES_SECONDS = 300


def badges_changed() -> None:
    transaction.on_commit(_next_version)


def _next_version() -> None:
    try:
        if not cache.add(VERSION_KEY, 1, timeout=None):
            cache.incr(VERSION_KEY)
    except Exception:  # the cache is down: nothing kept there can be served either
        logger.warning("菜单角标缓存不可用，角标将每次重新统计。", exc_info=True)


def cached_badges(user, count) -> dict:
    """`count(user)` as of the last change, from the cache when it has it.

    The user's entry holds the version it was counted at; the version and the entry are read
    in one round trip (get_many), as every page draws the menu."""
    key = f"menu-badges:{user.pk}"
    try:
        found = cache.get_many([VERSION_KEY, key])
    except Exception:
        logger.warning("菜单角标缓存不可用，角标将每次重新统计。", exc_info=True)
        return count(user)
    version = found.get(VERSION_KEY, 0)
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    badges = count(user)
    try:
        cache.set(key, (version, badges), BADGES_SECONDS)
    except Exception:
        logger.warning("菜单角标缓存不可用。", exc_info=True)
    return badges
