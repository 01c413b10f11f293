"""app/memo.py: a result kept under a key is given back; a different key builds again; and a store that does not
answer (Redis down) makes every result be built, never a failed request. Real Redis where one would be used: an
address where nothing listens."""
import pytest
from flask_caching import Cache

from app import memo


def test_a_result_is_built_once_per_key(app):
    built = []

    def build(value):
        built.append(value)
        return {"value": value}

    assert memo.remembered("test.v1", (1, "a"), lambda: build(1)) == {"value": 1}
    assert memo.remembered("test.v1", (1, "a"), lambda: build(2)) == {"value": 1}
    assert memo.remembered("test.v1", (1, "b"), lambda: build(3)) == {"value": 3}
    assert memo.remembered("other.v1", (1, "a"), lambda: build(4)) == {"value": 4}
    assert built == [1, 3, 4]
    memo.forget_all()
    assert memo.remembered("test.v1", (1, "a"), lambda: build(5)) == {"value": 5}


@pytest.mark.own_app
def test_a_store_that_does_not_answer_builds_every_result(app, monkeypatch):
    down = Cache()
    down.init_app(app, config={"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": "redis://127.0.0.1:1/0",
                               "CACHE_KEY_PREFIX": "consort-test:"})
    monkeypatch.setattr(memo, "cache", down)
    calls = []
    assert memo.remembered("test.v1", (1,), lambda: calls.append(1) or "built") == "built"
    assert memo.remembered("test.v1", (1,), lambda: calls.append(2) or "again") == "again"
    assert calls == [1, 2]
