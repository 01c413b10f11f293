"""A marketplace in which every role has work waiting: `size` of each kind of task, so that a test can compare
what the dashboards cost at two sizes. What the dashboards read is built through the services where they can make
it, and written straight into the database where getting there would take a whole award (a state the other tests
reach through the pages and the API)."""
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

from app.extensions import db
from app.types import utcnow
from frameworks import questions
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework
from procurement.award.models import AwardRun
from procurement.board.models import Recommendation
from procurement.calloffs.models import CallOff, Levy, MiniCompetition
from procurement.contracts.models import Contract
from procurement.evaluation import services as evaluation
from suppliers import bids
from suppliers.domain import bidding
from tests.functional.framework_pages_support import make_framework, make_lot, make_requirement

PEOPLE = {  # role: (e-mail, organisation, kind)
    "admin": ("ada@ldpc.example", "London Digital Purchasing Consortium", "consortium"),
    "officer": ("olivia@camden.gov.uk", "London Borough of Camden", "authority"),
    "evaluator": ("eve@islington.gov.uk", "London Borough of Islington", "authority"),
    "board": ("bea@ldpc.example", "London Digital Purchasing Consortium", "consortium"),
    "supplier": ("sam@thames.example", "Thames Digital Ltd", "supplier"),
    "other_supplier": ("alex@albion.example", "Albion Technology plc", "supplier"),
}


@dataclass
class TodoWorld:
    users: dict = field(default_factory=dict)
    open: list = field(default_factory=list)        # frameworks open for bids: a draft bid, a question
    closed: list = field(default_factory=list)      # frameworks closed: lots to score, panels to set
    recommended: list = field(default_factory=list)  # frameworks recommended: votes waiting
    awarded: list = field(default_factory=list)     # frameworks awarded: call-offs, contracts, levies, minis
    contracts: list = field(default_factory=list)
    levies: list = field(default_factory=list)
    competitions: list = field(default_factory=list)


def people(make_user) -> dict:
    return {role: make_user(email, role=role.removeprefix("other_"), org=org, kind=kind)
            for role, (email, org, kind) in PEOPLE.items()}


def _framework(world: TodoWorld, title: str, lots: int = 1):
    framework = make_framework(world.users["admin"], title=title, min_sme_share=Decimal(0))
    made = [make_lot(world.users["admin"], framework.id, [make_requirement(world.users["officer"]).id],
                     title=f"Laptops {n}") for n in range(1, lots + 1)]
    from frameworks import services as frameworks

    frameworks.transition(world.users["admin"], framework.id, FrameworkStatus.OPEN)
    return framework, made


def _offer(lot, org: str, price: str = "100000"):
    return bidding.LotOffer(lot.id, Decimal(price), {c.id: f"{org}: a plan." for c in lot.criteria})


def _set(framework_id: int, **values) -> None:
    db.session.execute(update(Framework).where(Framework.id == framework_id).values(**values))
    db.session.commit()


def build(make_user, size: int) -> TodoWorld:
    """`size` of every task of every role."""
    world = TodoWorld(users=people(make_user))
    sam, alex, eve = world.users["supplier"], world.users["other_supplier"], world.users["evaluator"]
    now = utcnow()
    for n in range(size):
        framework, (lot,) = _framework(world, f"Open devices {n}")
        bids.create(sam, framework.id, [_offer(lot, "Thames")], [])
        questions.ask(alex, framework.id, f"Question {n}: may the laptops be refurbished?")
        world.open.append(framework)

        framework, (lot,) = _framework(world, f"Closed devices {n}")
        for supplier in (sam, alex):
            bid = bids.create(supplier, framework.id, [_offer(lot, supplier.organisation.name)], [])
            bids.submit(supplier, bid.id)
        evaluation.set_panel(world.users["admin"], lot.id, [eve.id])
        _set(framework.id, question_deadline=now - timedelta(hours=2), bid_deadline=now - timedelta(hours=1),
             status=FrameworkStatus.CLOSED, closed_at=now)
        world.closed.append((framework, lot))

        framework, (lot,) = _framework(world, f"Recommended devices {n}")
        _set(framework.id, status=FrameworkStatus.RECOMMENDED, recommended_at=now)
        run = AwardRun(framework_id=framework.id, result={"awards": [{"lot_id": lot.id, "supplier_id":
                                                                      sam.organisation_id, "price": "90000.00"}]})
        db.session.add(run)
        db.session.flush()
        db.session.add(Recommendation(framework_id=framework.id, award_run_id=run.id, board_size=3, quorum=2))
        world.recommended.append((framework, run))
        _awarded(world, n, now)
    db.session.commit()
    return world


def _awarded(world: TodoWorld, n: int, now) -> None:
    """An awarded framework of three lots: lot 1 won by the supplier alone, lots 2 and 3 by both suppliers."""
    sam, alex = world.users["supplier"], world.users["other_supplier"]
    framework, lots = _framework(world, f"Awarded devices {n}", lots=3)
    _set(framework.id, status=FrameworkStatus.AWARDED, awarded_at=now,
         question_deadline=now - timedelta(days=40), bid_deadline=now - timedelta(days=30))
    awards = [{"lot_id": lots[0].id, "supplier_id": sam.organisation_id, "price": "100000.00"}] + [
        {"lot_id": lot.id, "supplier_id": who.organisation_id, "price": "100000.00"}
        for lot in lots[1:] for who in (sam, alex)]
    run = AwardRun(framework_id=framework.id, result={"awards": awards})
    db.session.add(run)
    db.session.flush()
    db.session.add(Recommendation(framework_id=framework.id, award_run_id=run.id, board_size=3, quorum=2,
                                  outcome="approved", decided_at=now))
    consortium = world.users["admin"].organisation_id
    for status, who in (("issued", sam), ("signed", alex)):
        contract = Contract(framework_id=framework.id, reference=f"{framework.reference}-{status}-{n}",
                            kind="framework_agreement", supplier_id=who.organisation_id,
                            supplier_ids=[who.organisation_id], organisation_id=consortium, lot_ids=[lots[0].id],
                            value=Decimal("100000"), status=status,
                            signed_at=now if status == "signed" else None, signed_name="Alex Albion"
                            if status == "signed" else None)
        db.session.add(contract)
        world.contracts.append(contract)
    # Lot 2: a call-off already placed (its levy due); lot 3: a mini-competition open for answers.
    call_off = CallOff(framework_id=framework.id, lot_id=lots[1].id, organisation_id=world.users["officer"]
                       .organisation_id, supplier_id=sam.organisation_id, value=Decimal("40000"))
    db.session.add(call_off)
    db.session.flush()
    levy = Levy(call_off_id=call_off.id, supplier_id=sam.organisation_id, framework_id=framework.id,
                amount=Decimal("600.00"))
    competition = MiniCompetition(framework_id=framework.id, lot_id=lots[2].id,
                                  organisation_id=world.users["officer"].organisation_id, request="Forty tablets.",
                                  maximum_value=Decimal("1200000"), deadline=now + timedelta(days=7))
    db.session.add_all([levy, competition])
    world.awarded.append((framework, lots))
    world.levies.append(levy)
    world.competitions.append(competition)
