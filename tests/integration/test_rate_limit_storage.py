"""Where the rate limits' counts live: in each process's memory without REDIS_URL, in Redis with it, so that every
worker (here: an app built afresh, with a store of its own) sees the counts the others made."""
import os
import secrets

import pytest
import redis
from limits.storage import MemoryStorage, RedisStorage

from app import tasking
from app.throttle import _account_key, limiter
from consort import create_app
from tests.conftest import _test_config

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    yield client
    client.close()


@pytest.fixture
def fresh_apps(app, database_url):
    """Build apps as new workers would; afterwards the limiter and the queue are the suite's app's again."""
    built = []

    def build(**settings):
        config = _test_config(database_url) | {"RATE_LIMIT_SIGN_IN_PER_ADDRESS": "2 per hour"} | settings
        built.append(create_app(config))
        return built[-1]

    yield build
    limiter.init_app(app)
    tasking.init_app(app)
    for other in built:
        with other.app_context():
            from app.extensions import db

            db.engine.dispose()


def attempt(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client.post("/api/v1/tokens", json={"email": f"nobody@{address}.example", "password": "wrong"})


def unique_address() -> str:
    return f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"  # the benchmarking range: nobody's


def test_with_redis_url_the_counts_are_in_redis_and_every_worker_sees_them(fresh_apps, redis_client):
    address = unique_address()
    first = fresh_apps(REDIS_URL=REDIS_URL)
    assert isinstance(limiter.storage, RedisStorage)
    assert [attempt(first, address).status_code for _ in range(2)] == [401, 401]
    keys = [key.decode() for key in redis_client.scan_iter(match=f"LIMITS:LIMITER/consort/*{address}*")]
    assert keys, "the counts are kept in Redis"

    second = fresh_apps(REDIS_URL=REDIS_URL)  # another worker, with a store of its own
    refused = attempt(second, address)

    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    account = _account_key(f"nobody@{address}.example")
    for pattern in (f"*{address}*", f"*{account}*"):
        for key in redis_client.scan_iter(match=f"LIMITS:LIMITER/consort/{pattern}"):
            redis_client.delete(key)


def test_without_redis_url_each_process_counts_in_its_own_memory(fresh_apps):
    address = unique_address()
    first = fresh_apps()
    assert isinstance(limiter.storage, MemoryStorage)
    assert [attempt(first, address).status_code for _ in range(3)] == [401, 401, 429]

    second = fresh_apps()  # the control for the test above: a new process starts from nothing

    assert attempt(second, address).status_code == 401
