"""The audit hash chain detects any change, removal or reordering of events."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.audit_chain import GENESIS_HASH, ChainedEvent, event_hash, first_break

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
event_contents = st.tuples(st.sampled_from(["user.created", "framework.published", "bid.submitted"]),
                           st.none() | st.integers(1, 50), json_values, json_values)


def build_chain(contents) -> list[ChainedEvent]:
    events, prev = [], GENESIS_HASH
    for i, (action, actor_id, before, after) in enumerate(contents, start=1):
        at = START + timedelta(seconds=i)
        digest = event_hash(prev, at, actor_id, action, "Thing", str(i), before, after)
        events.append(ChainedEvent(i, at, actor_id, action, "Thing", str(i), before, after, prev, digest))
        prev = digest
    return events


@given(st.lists(event_contents, max_size=12))
def test_an_untouched_chain_verifies(contents):
    assert first_break(build_chain(contents)) is None


@given(st.lists(event_contents, min_size=1, max_size=12), st.data())
def test_changing_any_event_is_found_at_that_event(contents, data):
    events = build_chain(contents)
    index = data.draw(st.integers(0, len(events) - 1))
    original = events[index]
    tampered = replace(original, after={"tampered": original.after}, action=original.action)
    events[index] = tampered
    broken = first_break(events)
    assert broken is not None and broken.event_id == original.id


@given(st.lists(event_contents, min_size=3, max_size=12), st.data())
def test_removing_an_event_is_found_at_the_next_one(contents, data):
    events = build_chain(contents)
    index = data.draw(st.integers(0, len(events) - 2))
    removed = events.pop(index)
    broken = first_break(events)
    assert broken is not None and broken.event_id == removed.id + 1


def test_swapping_two_events_is_found():
    events = build_chain([("a", 1, None, {"n": 1}), ("b", 1, None, {"n": 2}), ("c", 1, None, {"n": 3})])
    events[0], events[1] = events[1], events[0]
    assert first_break(events).event_id == events[0].id


def test_rehashing_a_changed_event_still_breaks_the_next_link():
    events = build_chain([("a", 1, None, {"n": 1}), ("b", 1, None, {"n": 2})])
    first = events[0]
    forged_hash = event_hash(first.prev_hash, first.at, first.actor_id, first.action, first.object_type,
                             first.object_id, first.before, {"n": 999})
    events[0] = replace(first, after={"n": 999}, hash=forged_hash)
    assert first_break(events).event_id == 2


def test_the_hash_depends_on_every_field():
    base = (GENESIS_HASH, START, 1, "user.created", "User", "1", None, {"a": 1})
    digest = event_hash(*base)
    variants = [
        ("1" * 64, *base[1:]), (base[0], START + timedelta(microseconds=1), *base[2:]),
        (*base[:2], 2, *base[3:]), (*base[:3], "user.deleted", *base[4:]), (*base[:4], "Org", *base[5:]),
        (*base[:5], "2", *base[6:]), (*base[:6], {"a": 1}, base[7]), (*base[:7], {"a": 2}),
    ]
    assert all(event_hash(*variant) != digest for variant in variants)
