"""Demo frameworks for `flask seed-demo`: requirements from several boroughs pooled into lots, one framework
in each state this far (draft, open, closed, evaluation, cancelled). Found by title, so seeding twice adds nothing."""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from app.accounts import services as accounts
from app.domain.roles import Role
from app.extensions import db
from app.organisations.models import OrganisationDomain
from app.types import london_today, utcnow
from consort.demo import award as award_demo
from consort.demo.people import DEMO_PASSWORD
from consort.demo.sharing import ensure_accepted, ensure_agreement
from consort.demo.suppliers import seed_bids
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework
from frameworks.requirements import services as requirements
from procurement.evaluation import services as evaluation


@dataclass(frozen=True)
class DemoLot:
    title: str
    category: str
    unit: str
    unit_price: str
    # (authority e-mail domain, quantity)
    demand: tuple[tuple[str, int], ...]
    price_weight: int = 40
    formula: str = "relative"
    max_awards: int = 1


@dataclass(frozen=True)
class DemoFramework:
    title: str
    description: str
    status: FrameworkStatus
    maximum_value: str
    lots: tuple[DemoLot, ...]


BEYOND_EVALUATION = (FrameworkStatus.RECOMMENDED, FrameworkStatus.STANDSTILL, FrameworkStatus.AWARDED)
GUIDANCE = "Say what you will do, by when, and who will do it."
QUALITY = (("Technical quality", 30, 10), ("Delivery and support", 20, 10), ("Social value", 10, 5))
FRAMEWORKS = (
    DemoFramework("End-user devices 2027", "Laptops and monitors for staff across London's boroughs.",
                  FrameworkStatus.OPEN, "6000000", (
                      DemoLot("Laptops", "devices", "laptop", "899", (("camden.gov.uk", 250), ("hackney.gov.uk", 180),
                                                                      ("islington.gov.uk", 120)), max_awards=2),
                      DemoLot("Monitors", "devices", "monitor", "165", (("camden.gov.uk", 300),
                                                                        ("southwark.gov.uk", 220))),
                  )),
    DemoFramework("Cloud hosting and backup", "Hosting for line-of-business systems, with off-site backup.",
                  FrameworkStatus.DRAFT, "3000000", (
                      DemoLot("Virtual servers", "cloud_hosting", "vCPU-month", "22",
                              (("lambeth.gov.uk", 2400), ("lewisham.gov.uk", 1800)), formula="linear"),
                  )),
    DemoFramework("Managed print services", "Multifunction devices with maintenance and consumables.",
                  FrameworkStatus.CLOSED, "1500000", (
                      DemoLot("Multifunction devices", "managed_print", "device", "2100",
                              (("barnet.gov.uk", 90), ("enfield.gov.uk", 75)), formula="absolute"),
                  )),
    DemoFramework("Wide-area network connectivity", "Site connectivity for council offices and libraries.",
                  FrameworkStatus.EVALUATION, "4000000", (
                      DemoLot("Site connections", "networks", "site", "5200",
                              (("croydon.gov.uk", 60), ("sutton.gov.uk", 35), ("merton.gov.uk", 40))),
                  )),
    DemoFramework("Cyber security services", "Penetration testing and a security operations centre.",
                  FrameworkStatus.RECOMMENDED, "2500000", (
                      DemoLot("Penetration testing", "support_services", "day", "950",
                              (("wandsworth.gov.uk", 120), ("richmond.gov.uk", 80))),
                      DemoLot("Security operations centre", "support_services", "hour", "95",
                              (("wandsworth.gov.uk", 4000), ("kingston.gov.uk", 3500))),
                  )),
    DemoFramework("Mobile phones and airtime", "Smartphones with airtime for frontline staff.",
                  FrameworkStatus.STANDSTILL, "5000000", (
                      DemoLot("Smartphones", "devices", "device", "420", (("haringey.gov.uk", 900),
                                                                           ("walthamforest.gov.uk", 700))),
                      DemoLot("Airtime", "telephony", "line-month", "9", (("haringey.gov.uk", 21600),
                                                                          ("walthamforest.gov.uk", 16800))),
                  )),
    DemoFramework("Library self-service kiosks", "Self-service kiosks with maintenance for public libraries.",
                  FrameworkStatus.AWARDED, "1200000", (
                      DemoLot("Kiosks", "devices", "device", "6800", (("brent.gov.uk", 30), ("harrow.gov.uk", 24),
                                                                     ("hillingdon.gov.uk", 18))),
                  )),
    DemoFramework("Desk telephony refresh", "Handsets and lines, cancelled when the boroughs moved to Teams.",
                  FrameworkStatus.CANCELLED, "800000", (
                      DemoLot("Handsets", "telephony", "handset", "95", (("ealing.gov.uk", 800),)),
                  )),
)


def officer(domain: str):
    """A demo officer for an authority, created when missing (password: the demo password)."""
    email = f"officer@{domain}"
    user = accounts.find_by_email(email)
    if user is None:
        organisation = db.session.scalar(db.select(OrganisationDomain).where(OrganisationDomain.domain == domain))
        user = accounts.add_user(email, DEMO_PASSWORD, Role.OFFICER, organisation.organisation, name="Demo Officer")
        db.session.commit()
    ensure_accepted(user)
    return user


def seed(admin) -> int:
    """Create the demo frameworks that are missing; return how many were created."""
    created = 0
    ensure_agreement(admin)
    for index, demo in enumerate(FRAMEWORKS):
        if db.session.scalar(db.select(Framework.id).where(Framework.title == demo.title)):
            continue
        _seed_one(admin, demo, index)
        created += 1
    return created


def _seed_one(admin, demo: DemoFramework, index: int) -> None:
    # Frameworks that are past their deadline are created as if it were earlier.
    past = demo.status in (FrameworkStatus.CLOSED, FrameworkStatus.EVALUATION, *BEYOND_EVALUATION)
    now = utcnow() - timedelta(days=45) if past else utcnow()
    bid_deadline = now + timedelta(days=30 + index)
    framework = frameworks.create(admin, {
        "title": demo.title, "description": demo.description, "maximum_value": Decimal(demo.maximum_value),
        "bid_deadline": bid_deadline, "question_deadline": bid_deadline - timedelta(days=10),
        "duration_months": 36, "max_lots_per_supplier": 2, "min_sme_share": Decimal("0.25"),
        "standstill_working_days": 8, "levy_percent": Decimal("1.00")}, now=now)
    for lot in demo.lots:
        ids = []
        for domain, quantity in lot.demand:
            requirement = requirements.create(officer(domain), {
                "title": f"{lot.title} for {domain.split('.')[0].capitalize()}", "description": "",
                "category": lot.category, "quantity": Decimal(quantity), "unit": lot.unit,
                "estimated_unit_price": Decimal(lot.unit_price),
                "needed_by": london_today() + timedelta(days=120)}, london_today())
            ids.append(requirement.id)
        value = sum(Decimal(q) for _, q in lot.demand) * Decimal(lot.unit_price)
        frameworks.add_lot(admin, framework.id, frameworks.LotInput(
            title=lot.title, description="", requirement_ids=ids, max_awards=lot.max_awards,
            budget=value.quantize(Decimal("1")), price_weight=lot.price_weight, price_formula=lot.formula,
            criteria=[frameworks.CriterionInput(n, w, m, GUIDANCE) for n, w, m in QUALITY]))
    if demo.status == FrameworkStatus.DRAFT:
        return
    frameworks.transition(admin, framework.id, FrameworkStatus.OPEN, now=now)
    if demo.status == FrameworkStatus.CANCELLED:
        frameworks.transition(admin, framework.id, FrameworkStatus.CANCELLED)
    elif past:
        seed_bids(framework, DEMO_PASSWORD, now)
        frameworks.close_due()
        if demo.status == FrameworkStatus.EVALUATION:
            frameworks.transition(admin, framework.id, FrameworkStatus.EVALUATION)
            _seat_demo_evaluator(admin, framework)
        elif demo.status in BEYOND_EVALUATION:
            award_demo.advance(admin, framework, demo.status)


def _seat_demo_evaluator(admin, framework) -> None:
    """The demo evaluator sits on every lot's panel of the framework in evaluation."""
    evaluator = accounts.find_by_email("evaluator@islington.gov.uk")
    if evaluator is not None:
        for lot in framework.lots:
            evaluation.set_panel(admin, lot.id, [evaluator.id])
