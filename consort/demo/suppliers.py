"""Demo bids for `flask seed-demo`: supplier users with profiles and declarations, and submitted bids on the
frameworks that are past their deadline, so that evaluation has something to read."""
from datetime import datetime, timedelta
from decimal import Decimal

from app.accounts import services as accounts
from app.domain.roles import Role
from app.organisations import services as organisations
from suppliers import bids, profiles
from suppliers.domain import bidding, exclusion

# (supplier, e-mail of its bidder, how far below each lot's budget it prices, in %)
BIDDERS = [
    ("Thames Digital Services Ltd", "supplier@thamesdigital.example", 12),
    ("Albion Technology Group plc", "supplier@albiontech.example", 18),
    ("Bankside Cloud Ltd", "supplier@bankside.example", 9),
    ("Lea Valley Networks Ltd", "supplier@leavalley.example", 15),
    ("Northfields Device Co Ltd", "supplier@northfields.example", 6),
    ("Britannia Cloud Services plc", "supplier@britannia.example", 21),
]
ANSWERS = [
    "We deliver within 20 working days of each call-off, from stock held in Park Royal, with a named account manager.",
    "Every order funds apprenticeships for London care leavers and is delivered by electric vans inside the ULEZ.",
    "Devices are refurbished and recycled through our certified partner; we report carbon per unit each quarter.",
]


def bidder(name: str, email: str, password: str):
    """The supplier's demo bidder, with a profile and a declaration that no ground applies."""
    user = accounts.find_by_email(email)
    if user is None:
        user = accounts.add_user(email, password, Role.SUPPLIER, organisations.find_by_name(name),
                                 name=f"Bids team, {name}")
    if profiles.current_declaration(user.organisation_id) is None:
        domain = email.split("@", 1)[1]
        profiles.update_profile(user, {"registered_address": "1 Demo Street, London", "website": f"https://{domain}",
                                       "contact_name": user.name or "Bids team", "contact_email": email,
                                       "contact_phone": "020 7946 0000"})
        profiles.declare(user, {g.code: False for g in exclusion.GROUNDS})
    return user


def seed_bids(framework, password: str, now: datetime) -> None:
    """Every demo bidder bids on the framework before its deadline, one on each lot and a bundle of the first two."""
    for index, (name, email, discount) in enumerate(BIDDERS):
        user = bidder(name, email, password)
        offers = []
        for lot in framework.lots:
            price = (lot.budget * (100 - discount - lot.number) / 100).quantize(Decimal("0.01"))
            offers.append(bidding.LotOffer(lot.id, price, {
                c.id: ANSWERS[(index + c.id) % len(ANSWERS)] for c in lot.criteria}))
        bundles = []
        if len(offers) >= 2 and index % 2 == 0:
            together = (offers[0].price + offers[1].price) * Decimal("0.94")
            bundles.append(bidding.Bundle((offers[0].lot_id, offers[1].lot_id), together.quantize(Decimal("0.01"))))
        moment = now + timedelta(hours=index + 1)
        bid = bids.create(user, framework.id, offers, bundles, now=moment)
        bids.submit(user, bid.id, now=moment + timedelta(minutes=5))
