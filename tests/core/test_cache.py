"""The shared cache: ``ONESTOP_CACHE_URL`` names a Redis server, and limits kept in the cache
(the report forms' per-address limit) then hold across every server process.

Runs against a real Redis (``ONESTOP_TEST_REDIS_URL``, default the local server's database 15);
skipped with the reason when none is reachable, except under ``make ci``
(``ONESTOP_REQUIRE_REDIS=1``), which starts one."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from onestop.portal import throttle
from onestop.settings import cache_config

REDIS_URL = os.environ.get("ONESTOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"no Redis at {REDIS_URL}: {error}"
        if os.environ.get("ONESTOP_REQUIRE_REDIS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def shared_cache(redis_url: str) -> Iterator[dict[str, Any]]:
    # A prefix of this test's own, so parallel runs and other data in the database never meet.
    config = {**cache_config(redis_url), "KEY_PREFIX": f"onestop-test-{uuid.uuid4().hex}"}
    with override_settings(CACHES={"default": config}):
        yield config
        caches["default"].clear()


def test_no_url_is_each_process_s_own_memory() -> None:
    assert cache_config("")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize(
    "url", ["redis://cache.internal:6379/0", "rediss://cache.internal:6380/1", "unix:///run/r.s"]
)
def test_a_redis_url_is_the_shared_redis_cache(url: str) -> None:
    config = cache_config(url)
    assert (config["BACKEND"], config["LOCATION"]) == (
        "django.core.cache.backends.redis.RedisCache",
        url,
    )


@pytest.mark.parametrize(
    "url", ["memcached://cache:11211", "http://cache", "localhost:6379", "redis"]
)
def test_anything_else_stops_start_up_with_a_clear_error(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="ONESTOP_CACHE_URL must name a Redis server"):
        cache_config(url)


def test_the_report_limit_holds_across_processes_sharing_redis(
    shared_cache: dict[str, Any],
) -> None:
    address = "203.0.113.7"
    for _ in range(throttle.limit() - 1):
        throttle.count(address)
    assert not throttle.is_limited(address)
    # Another server process: its own client, the same Redis.
    other_process = RedisCache(shared_cache["LOCATION"], {"KEY_PREFIX": shared_cache["KEY_PREFIX"]})
    key = throttle._key(address)
    assert other_process.get(key) == throttle.limit() - 1
    other_process.incr(key)
    assert throttle.is_limited(address)
    assert not throttle.is_limited("203.0.113.8")
    # The count expires with the window.
    redis_key = other_process.make_and_validate_key(key)
    assert 0 < other_process._cache.get_client(key).ttl(redis_key) <= throttle.window_seconds()
