"""What the OCDS tests share: frameworks built through the services in every published state and their packages.
The fixtures on them (people, published, valid_package) are in this folder's conftest.py."""
from datetime import timedelta, timezone
from decimal import Decimal
from pathlib import Path

from app.extensions import db
from app.types import london_today, utcnow
from consort.publication import ocds as framework_ocds
from consort.publication import releases
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import STATE_TIMESTAMPS
from frameworks.requirements import services as requirements
from frameworks.services import CriterionInput, LotInput

S = FrameworkStatus
ROOT = Path(__file__).resolve().parents[2]
SHARED_OCDS = ROOT.parent / "shared" / "ocds"

CAMDEN_GSS, HACKNEY_GSS = "E09000007", "E09000012"
LONDON_PLUS_ONE = timezone(timedelta(hours=1))

# What each state is called in OCDS's closed tenderStatus codelist, and the release tag it is published with.
# Once the board has approved an award the competition is complete, though the awards wait out the standstill.
TENDER_STATUS = {
    S.OPEN: "active", S.CLOSED: "active", S.EVALUATION: "active", S.RECOMMENDED: "active",
    S.STANDSTILL: "complete", S.AWARDED: "complete", S.EXPIRED: "complete", S.CANCELLED: "cancelled",
}
# The event whose release is the latest in each state: going into evaluation or to the board publishes nothing new,
# so the latest release there is still the closing's; and the states set directly below have no board's award, so
# after the standstill (where the tender becomes complete) they have nothing new to publish either.
LATEST_EVENT = {S.OPEN: S.OPEN, S.CLOSED: S.CLOSED, S.EVALUATION: S.CLOSED, S.RECOMMENDED: S.CLOSED,
                S.STANDSTILL: S.STANDSTILL, S.AWARDED: S.STANDSTILL, S.EXPIRED: S.STANDSTILL,
                S.CANCELLED: S.CANCELLED}
TAG = {S.OPEN: ["tender"], S.CLOSED: ["tenderUpdate"], S.STANDSTILL: ["award"], S.CANCELLED: ["tenderCancellation"]}

# The way through the states after publication. The services take a framework to evaluation (and cancel it); the
# states after that need a board's approval, so here the tests set the status and its timestamp directly and record
# the event's release as the transition would (tests/functional/board/test_ocds_life.py goes the whole way).
THROUGH_SERVICES = [S.OPEN, S.CLOSED, S.EVALUATION]
SET_DIRECTLY = [S.RECOMMENDED, S.STANDSTILL, S.AWARDED, S.EXPIRED]


def _requirement(officer, category: str, unit: str, quantity: str, price: str):
    values = {"title": f"{category} for {officer.email}", "description": "", "category": category,
              "quantity": Decimal(quantity), "unit": unit, "estimated_unit_price": Decimal(price),
              "needed_by": london_today() + timedelta(days=90)}
    return requirements.create(officer, values, london_today())


def build_draft(people, start=None):
    """A draft framework with two lots, through the real services: laptops for Camden and Hackney with quality
    criteria, and software licences for Camden and the trust on price alone."""
    start = start or utcnow()
    admin = people["admin"]
    framework = frameworks.create(admin, {
        "title": "London laptops and licences", "description": "Laptops and office licences for London.",
        "maximum_value": Decimal("2500000.00"), "bid_deadline": start + timedelta(days=30),
        "question_deadline": start + timedelta(days=20), "duration_months": 24, "max_lots_per_supplier": 2,
        "min_sme_share": Decimal("0.25"), "standstill_working_days": 8, "levy_percent": Decimal("1.00"),
    }, now=start)
    laptops = [_requirement(people["camden"], "devices", "laptop", "100", "650.00"),
               _requirement(people["hackney"], "devices", "laptop", "50", "700.00")]
    frameworks.add_lot(admin, framework.id, LotInput(
        title="Laptops", description="Standard and performance laptops.",
        requirement_ids=[r.id for r in laptops], max_awards=2, budget=Decimal("100000.00"), price_weight=40,
        price_formula="relative",
        criteria=[CriterionInput("Technical quality", 40, 10), CriterionInput("Social value", 20, 5)]))
    licences = [_requirement(people["camden"], "software_licences", "user-year", "300", "120.00"),
                _requirement(people["trust"], "software_licences", "user-year", "200", "110.00")]
    frameworks.add_lot(admin, framework.id, LotInput(
        title="Office licences", description="Office productivity licences.",
        requirement_ids=[r.id for r in licences], max_awards=1, budget=Decimal("60000.00"), price_weight=100,
        price_formula="linear", criteria=[]))
    return framework


def build(people, state: FrameworkStatus):
    """A framework in `state`, published: an open one two days ago, any other a year ago and more."""
    start = utcnow() - timedelta(days=2 if state == S.OPEN else 400)
    framework = build_draft(people, start)
    admin, moment = people["admin"], start + timedelta(hours=1)
    frameworks.transition(admin, framework.id, S.OPEN, now=moment)
    if state == S.OPEN:
        return frameworks.get(framework.id)
    if state == S.CANCELLED:
        frameworks.transition(admin, framework.id, S.CANCELLED, now=moment + timedelta(days=1))
        return frameworks.get(framework.id)
    moment = framework.bid_deadline + timedelta(minutes=3)  # past the deadline and its grace
    assert frameworks.close_due(now=moment) == [framework.id]  # the job that closes frameworks at the deadline
    if state != S.CLOSED:
        frameworks.transition(admin, framework.id, S.EVALUATION, now=moment + timedelta(days=1))
        moment += timedelta(days=2)
    if state in SET_DIRECTLY:
        for target in SET_DIRECTLY[:SET_DIRECTLY.index(state) + 1]:
            framework.status = target
            setattr(framework, STATE_TIMESTAMPS[target], moment)
            releases.record_framework_event(framework.id, target.value, moment)
            db.session.commit()
            moment += timedelta(days=14)
    framework = frameworks.get(framework.id)
    assert framework.status == state
    return framework


def package_of(app, framework_id: int) -> dict:
    # The package names its own address, which is a URL of the site: built as in the request that serves it.
    with app.test_request_context():
        return framework_ocds.release_package(framework_id)


PUBLISHED_STATES = [*THROUGH_SERVICES, S.CANCELLED, *SET_DIRECTLY]


def latest(package: dict) -> dict:
    return package["releases"][-1]
