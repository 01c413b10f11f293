"""The demo's people: London's authorities, a consortium, suppliers and a user of each role.

Idempotent: every record is looked up by its natural key first, so running it twice changes nothing.
"""
import csv
from dataclasses import dataclass
from pathlib import Path

from app.accounts import services as accounts
from app.accounts import two_factor
from app.domain.roles import OrganisationKind, Role
from app.extensions import db
from app.organisations import services as organisations
from app.organisations.models import Organisation

AUTHORITIES_CSV = Path(__file__).parent / "data" / "london-authorities.csv"
DEMO_PASSWORD = "consort-demo-2026"
# The demo's admin, board and evaluator users sign in with a second factor too (their roles need one): this TOTP
# secret, as public as the password. Add it to an authenticator app, or run `flask demo-code` for the current code.
DEMO_TOTP_SECRET = "CONSORTDEMOTWOFACTORSIGNIN234567"
CONSORTIUM = "London Digital Purchasing Consortium"
CONSORTIUM_DOMAIN = "ldpc.example"

# The e-mail domains the authorities' officers use; where a council's differs from its borough's name.
AUTHORITY_DOMAINS = {
    "E09000001": "cityoflondon.gov.uk", "E09000002": "lbbd.gov.uk", "E09000011": "royalgreenwich.gov.uk",
    "E09000013": "lbhf.gov.uk", "E09000020": "rbkc.gov.uk", "E09000021": "kingston.gov.uk",
    "E09000027": "richmond.gov.uk", "E09000030": "towerhamlets.gov.uk", "E09000031": "walthamforest.gov.uk",
    "E09000033": "westminster.gov.uk",
}

# (name, Companies House number, SME)
SUPPLIERS = [
    ("Thames Digital Services Ltd", "09123451", True), ("Bankside Cloud Ltd", "10234562", True),
    ("Lea Valley Networks Ltd", "08345673", True), ("Northfields Device Co Ltd", "11456784", True),
    ("Riverside Support Desk Ltd", "12567895", True), ("Camberwell Code Cooperative Ltd", "13678906", True),
    ("Greenwich Data Centres Ltd", "07789017", True), ("Hackney Wick Software Ltd", "14890128", True),
    ("Croydon Cyber Security Ltd", "09901239", True), ("Walthamstow Web Works Ltd", "10012340", True),
    ("Ealing Endpoint Solutions Ltd", "11123451", True), ("Barnet Broadband Ltd", "08234562", True),
    ("Peckham Print & Devices Ltd", "12345673", True), ("Sutton Systems Integration Ltd", "13456784", True),
    ("Hounslow Hosting Ltd", "07567895", True), ("Islington Identity Ltd", "14678906", True),
    ("Brent Backup & Recovery Ltd", "09789017", True), ("Merton Managed Print Ltd", "10890128", True),
    ("Lambeth Licensing Partners Ltd", "11901239", True), ("Enfield Edge Computing Ltd", "08012340", True),
    ("Kingston Kiosk Technology Ltd", "12123451", True), ("Harrow Helpdesk Ltd", "13234562", True),
    ("Southwark Secure Networks Ltd", "SC345673", True), ("Redbridge Robotics Ltd", "14456784", True),
    ("Albion Technology Group plc", "02567895", False), ("Britannia Cloud Services plc", "03678906", False),
    ("Meridian Managed Services Ltd", "04789017", False), ("Union Jack Telecom plc", "01890128", False),
    ("Capital Infrastructure Solutions Ltd", "05901239", False), ("Sovereign Software UK Ltd", "06012340", False),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: Role
    organisation: str
    name: str


def demo_users() -> list[DemoUser]:
    return [
        DemoUser(f"admin@{CONSORTIUM_DOMAIN}", Role.ADMIN, CONSORTIUM, "Ada Okafor"),
        DemoUser(f"board@{CONSORTIUM_DOMAIN}", Role.BOARD, CONSORTIUM, "Bernard Lewis"),
        DemoUser(f"board2@{CONSORTIUM_DOMAIN}", Role.BOARD, CONSORTIUM, "Priya Shah"),
        DemoUser(f"board3@{CONSORTIUM_DOMAIN}", Role.BOARD, CONSORTIUM, "Tom Hughes"),
        DemoUser("officer@camden.gov.uk", Role.OFFICER, "London Borough of Camden", "Olivia Carter"),
        DemoUser("officer@hackney.gov.uk", Role.OFFICER, "London Borough of Hackney", "Kwame Mensah"),
        DemoUser("evaluator@islington.gov.uk", Role.EVALUATOR, "London Borough of Islington", "Eve Nowak"),
        DemoUser("supplier@thamesdigital.example", Role.SUPPLIER, "Thames Digital Services Ltd", "Sam Patel"),
        DemoUser("supplier@albiontech.example", Role.SUPPLIER, "Albion Technology Group plc", "Alex Morgan"),
    ]


def _domain_for(gss_code: str, name: str) -> str:
    if gss_code in AUTHORITY_DOMAINS:
        return AUTHORITY_DOMAINS[gss_code]
    if name == "Greater London Authority":
        return "london.gov.uk"
    borough = name.removeprefix("London Borough of ").lower()
    return borough.replace(" and ", "").replace(" ", "") + ".gov.uk"


def seed() -> dict[str, int]:
    """Create whatever of the demo data is missing; return how many of each were created."""
    created = {"organisations": 0, "users": 0, "frameworks": 0}

    def ensure(name: str, kind: OrganisationKind, **fields) -> Organisation:
        existing = organisations.find_by_name(name)
        if existing:
            return existing
        created["organisations"] += 1
        return organisations.add(name, kind, **fields)

    ensure(CONSORTIUM, OrganisationKind.CONSORTIUM)
    with AUTHORITIES_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            ensure(row["name"], OrganisationKind.AUTHORITY, gss_code=row["gss_code"] or None,
                   domains=[_domain_for(row["gss_code"], row["name"])])
    for name, number, sme in SUPPLIERS:
        ensure(name, OrganisationKind.SUPPLIER, sme=sme, companies_house_number=number)
    for user in demo_users():
        found = accounts.find_by_email(user.email)
        if found is None:
            found = accounts.add_user(user.email, DEMO_PASSWORD, user.role,
                                      organisations.find_by_name(user.organisation), name=user.name)
            created["users"] += 1
        if two_factor.is_required(found):
            two_factor.enrol_with_secret(found, DEMO_TOTP_SECRET)
    db.session.commit()
    return created
