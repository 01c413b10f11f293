"""A bid is judged by when it reached us: the front proxy's stamp (from a trusted address only), or the app's own
at the request's start; written late in a rush, it is still accepted, up to DEADLINE_GRACE_SECONDS."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app import edge
from app.accounts.models import SignedInSession
from app.extensions import db
from consort import create_app
from frameworks import services as framework_services
from frameworks.models import Framework
from tests.functional.bids_support import create, moment, stored
from tests.functional.frameworks_support import assert_error
from tests.support import sign_in

PROXY = "127.0.0.1"  # the test client's own address, as if it were nginx's


def deadline_passed_seconds_ago(framework_id: int, seconds: float) -> datetime:
    deadline = datetime.now(UTC) - timedelta(seconds=seconds)
    db.session.execute(update(Framework).where(Framework.id == framework_id).values(
        question_deadline=deadline - timedelta(days=1), bid_deadline=deadline))
    db.session.commit()
    return deadline


def stamp(at: datetime) -> dict:
    return {"X-Request-Start": f"t={at.timestamp():.3f}"}


@pytest.fixture
def behind_a_proxy(app):
    app.config["TRUSTED_PROXIES"] = [PROXY]


def submit(world, bid_id: int, headers: dict, address: str = PROXY):
    return world.client.post(f"/api/v1/bids/{bid_id}/submit", headers=world.headers("supplier") | headers,
                             environ_base={"REMOTE_ADDR": address})


def test_a_bid_stamped_before_the_deadline_and_written_after_is_accepted_with_both_times(world, behind_a_proxy):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    deadline = deadline_passed_seconds_ago(framework["id"], 30)
    reached = deadline - timedelta(seconds=2)

    response = submit(world, bid["id"], stamp(reached))

    assert response.status_code == 200, response.get_json()
    receipt = response.get_json()["receipt"]
    assert abs(moment(receipt["submitted_at"]) - reached) < timedelta(milliseconds=1)
    assert moment(receipt["written_at"]) > deadline
    assert stored(bid["id"])["status"] == "submitted"


def test_a_stamp_from_an_untrusted_address_is_ignored(world, behind_a_proxy):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    deadline = deadline_passed_seconds_ago(framework["id"], 30)

    response = submit(world, bid["id"], stamp(deadline - timedelta(seconds=2)), address="203.0.113.9")

    assert_error(response, 409, "conflict")
    assert stored(bid["id"])["status"] == "draft"


def test_without_a_trusted_proxy_no_stamp_is_believed(world):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    deadline = deadline_passed_seconds_ago(framework["id"], 30)

    assert_error(submit(world, bid["id"], stamp(deadline - timedelta(seconds=2))), 409, "conflict")


def test_past_the_grace_an_in_time_request_is_refused_with_503_and_nothing_changes(world, behind_a_proxy, app):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    grace = app.config["DEADLINE_GRACE_SECONDS"]
    deadline = deadline_passed_seconds_ago(framework["id"], grace + 5)

    response = submit(world, bid["id"], stamp(deadline - timedelta(seconds=1)))

    error = assert_error(response, 503, "deadline_grace_exceeded")
    assert "before the deadline" in error["message"]
    assert stored(bid["id"])["status"] == "draft"


def test_a_stamp_ahead_of_the_apps_clock_counts_as_now(world, behind_a_proxy):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    ahead = datetime.now(UTC) + timedelta(hours=1)

    response = submit(world, bid["id"], stamp(ahead))

    assert response.status_code == 200
    assert moment(response.get_json()["receipt"]["submitted_at"]) < ahead - timedelta(minutes=59)


def test_the_closing_job_waits_for_the_grace(world, app):
    framework, _ = world.published()
    deadline_passed_seconds_ago(framework["id"], 30)
    assert framework_services.close_due() == []
    deadline_passed_seconds_ago(framework["id"], app.config["DEADLINE_GRACE_SECONDS"] + 1)
    assert framework_services.close_due() == [framework["id"]]


@pytest.mark.parametrize("header, expected", [
    ("t=1764590400.123", 1764590400.123), ("1764590400", 1764590400.0), ("t=1764590400.123456", 1764590400.123456),
    ("t=abc", None), ("", None), ("t=1e9", None), ("t=-1764590400", None), ("t=17645904001234", None),
])
def test_the_stamp_is_read_as_nginx_writes_it(header, expected):
    assert edge.stamped_time(header) == expected


@pytest.mark.parametrize("peer, recorded", [(PROXY, "198.51.100.7"), ("203.0.113.9", "203.0.113.9")])
def test_only_a_trusted_proxy_gives_the_client_address(app, world, behind_a_proxy, peer, recorded):
    browser = app.test_client()
    browser.environ_base.update({"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": "198.51.100.7"})
    assert sign_in(browser, world.user("supplier").email).status_code == 302
    [session] = db.session.scalars(db.select(SignedInSession)).all()
    assert session.address == recorded


def test_a_mistyped_trusted_proxy_stops_the_app_from_starting(database_url):
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "t", "TRUSTED_PROXIES": ["127.0.0.l"]})
