"""The pages of lots, over HTTP with CSRF as a browser sends them: the admin adds a lot that pools requirements
with its criteria and weights, and officers join and leave a draft lot.

Data a page is not about is built through the real services; the page under test is always driven through
its form."""
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from frameworks.models import Lot
from frameworks.requirements.models import Requirement, RequirementStatus
from tests.functional.framework_pages_support import (
    Tables,
    assert_summary_links_to,
    audit_actions,
    count,
    fresh,
    make_framework,
    make_requirement,
    submit,
    text_of,
)

# --- lots -------------------------------------------------------------------------------------------------------

def lot_form(requirement_ids: list[int], weights=(35, 25), price_weight: int = 40, **changes) -> dict:
    data = {"title": "Laptops", "description": "Standard laptops.", "requirement_ids": requirement_ids,
            "budget": "250000", "max_awards": "2", "price_weight": str(price_weight), "price_formula": "relative"}
    names = ["Quality of the devices", "Social value", "Delivery", "Support"]
    for i, weight in enumerate(weights):
        data |= {f"criteria-{i}-name": names[i], f"criteria-{i}-weight": str(weight),
                 f"criteria-{i}-max_score": "10", f"criteria-{i}-guidance": ""}
    return data | changes


@pytest.fixture
def laptops(people):
    """Open laptop requirements of Camden (200 at £800) and Hackney (100 at £750.50), and a draft framework."""
    camden = make_requirement(people("camden"))
    hackney = make_requirement(people("hackney"), quantity=Decimal("100"), estimated_unit_price=Decimal("750.50"))
    return make_framework(people("admin")), camden, hackney


def test_a_lot_pools_requirements_and_the_framework_page_shows_each_authority_s_share(as_, laptops):
    framework, camden, hackney = laptops
    page = f"/frameworks/{framework.id}/lots/new"

    form = text_of(as_("admin").get(page))
    assert "London Borough of Camden: Laptops for social workers — 200 laptops at £800.00 each" in form
    response = submit(as_("admin"), page, lot_form([camden.id, hackney.id]))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/frameworks/{framework.id}"
    lot = db.session.scalar(select(Lot))
    assert [(c.name, c.weight, c.max_score) for c in lot.criteria] == [
        ("Quality of the devices", 35, 10), ("Social value", 25, 10)]
    assert {fresh(Requirement, r.id).status for r in (camden, hackney)} == {RequirementStatus.POOLED}
    tables = Tables(text_of(as_("admin").get(response.headers["Location"])))
    assert tables.rows("Pooled demand for lot 1: 300 laptops in all, estimated at £235,050.00") == [
        ["London Borough of Camden", "200", "£160,000.00", "66.7%"],
        ["London Borough of Hackney", "100", "£75,050.00", "33.3%"],
    ]
    assert tables.rows("How lot 1 is scored") == [
        ["Price (relative formula)", "40", "—", "Lowest price ÷ your price × weight."],
        ["Quality of the devices", "35", "10", "—"],
        ["Social value", "25", "10", "—"],
    ]


@pytest.mark.parametrize("price_weight, weights, total", [(40, (35, 20), 95), (50, (35, 25), 110), (0, (60,), 60)])
def test_a_lot_whose_weights_do_not_make_100_is_refused_with_their_sum(as_, laptops, price_weight, weights, total):
    framework, camden, hackney = laptops
    page = f"/frameworks/{framework.id}/lots/new"

    response = submit(as_("admin"), page, lot_form([camden.id, hackney.id], weights, price_weight))

    assert response.status_code == 422
    assert (f"The price weight and the criteria weights must add up to 100; they add up to {total}."
            in text_of(response))
    assert count(Lot) == 0
    assert fresh(Requirement, camden.id).status == RequirementStatus.OPEN


@pytest.mark.parametrize("row, field, value, message", [
    (1, "weight", "200", "Weights are 1 to 100."),
    (0, "max_score", "0", "Maximum scores are 1 to 100."),
    (1, "weight", "heavy", "Not a valid integer value."),
])
def test_a_bad_criterion_row_is_linked_from_the_error_summary(as_, laptops, row, field, value, message):
    framework, camden, _ = laptops

    response = submit(as_("admin"), f"/frameworks/{framework.id}/lots/new",
                      lot_form([camden.id], **{f"criteria-{row}-{field}": value}))

    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', text_of(response), re.S).group(0)
    assert re.findall(r"<li>(.*?)</li>", summary) == [f'<a href="#criteria-{row}-{field}">{message}</a>']
    assert f'id="criteria-{row}-{field}"' in text_of(response)
    assert count(Lot) == 0


@pytest.mark.parametrize("field, value, message", [
    ("budget", "0", "Enter more than £0."),
    ("budget", "10000000000000", "Enter at most £100,000,000,000."),
    ("max_awards", "0", "Enter 1 to 100."),
    ("price_weight", "101", "Enter 0 to 100."),
])
def test_a_bad_lot_field_is_linked_from_the_error_summary(as_, laptops, field, value, message):
    framework, camden, _ = laptops

    response = submit(as_("admin"), f"/frameworks/{framework.id}/lots/new", lot_form([camden.id], **{field: value}))

    assert response.status_code == 422
    assert_summary_links_to(response, field, message)
    assert count(Lot) == 0


def test_a_lot_without_requirements_is_refused(as_, laptops):
    framework, _, _ = laptops

    response = submit(as_("admin"), f"/frameworks/{framework.id}/lots/new", lot_form([]))

    assert response.status_code == 422
    assert '<a href="#requirement_ids">Choose at least one requirement to pool.</a>' in text_of(response)
    assert count(Lot) == 0


def test_requirements_of_different_units_cannot_share_a_lot(as_, people, laptops):
    framework, camden, _ = laptops
    monitors = make_requirement(people("hackney"), title="Monitors", unit="monitor")

    response = submit(as_("admin"), f"/frameworks/{framework.id}/lots/new", lot_form([camden.id, monitors.id]))

    assert response.status_code == 422
    assert ('<a href="#requirement_ids">All requirements in a lot must be counted in the same unit.</a>'
            in text_of(response))
    assert count(Lot) == 0


def test_the_lot_form_can_show_one_category_s_requirements(as_, people, laptops):
    framework, _, _ = laptops
    make_requirement(people("hackney"), title="Virtual servers", category="cloud_hosting", unit="vCPU-month")

    page = text_of(as_("admin").get(f"/frameworks/{framework.id}/lots/new?category=cloud_hosting"))

    assert "Virtual servers" in page
    assert "Laptops for social workers" not in page


# --- officers join and leave lots -------------------------------------------------------------------------------

def test_an_officer_joins_a_draft_lot_and_leaves_it_through_the_lot_page(as_, people, draft):
    _, lot = draft
    mine = make_requirement(people("islington"), title="Laptops for schools", quantity=Decimal("50"))
    page = f"/lots/{lot.id}"

    before = text_of(as_("islington").get(page))
    assert "takes part in this lot" not in before
    assert f'<option value="{mine.id}">Laptops for schools (50 laptops)</option>' in before

    joined = submit(as_("islington"), page, {"requirement_id": str(mine.id)}, action=f"/lots/{lot.id}/join")

    assert joined.status_code == 302 and joined.headers["Location"] == page
    assert fresh(Requirement, mine.id).status == RequirementStatus.POOLED
    after_join = text_of(as_("islington").get(page))
    assert "Your requirement is pooled into this lot." in after_join
    assert "London Borough of Islington takes part in this lot." in after_join
    assert Tables(after_join).rows("Pooled demand for lot 1: 350 laptops in all") == [
        ["London Borough of Camden", "200", "£160,000.00", "57.1%"],
        ["London Borough of Hackney", "100", "£75,050.00", "28.6%"],
        ["London Borough of Islington", "50", "£40,000.00", "14.3%"],
    ]

    left = submit(as_("islington"), page, {"to": "leave"}, action=f"/lots/{lot.id}/leave")

    assert left.status_code == 302
    assert fresh(Requirement, mine.id).status == RequirementStatus.OPEN
    assert {p.requirement.organisation.name for p in fresh(Lot, lot.id).pooled} == {
        "London Borough of Camden", "London Borough of Hackney"}
    after_leave = text_of(as_("islington").get(page))
    assert "Your authority has left this lot." in after_leave
    assert "takes part in this lot" not in after_leave
    assert audit_actions("Lot") == ["lot.created", "lot.joined", "lot.left"]


def test_an_officer_cannot_pool_another_authority_s_requirement(as_, people, draft):
    _, lot = draft
    theirs = make_requirement(people("hackney"), title="Hackney's spare laptops")

    response = submit(as_("camden"), f"/lots/{lot.id}", {"requirement_id": str(theirs.id)},
                      action=f"/lots/{lot.id}/join")

    assert response.status_code == 302
    assert "You can only see your own authority's requirements." in text_of(as_("camden").get(f"/lots/{lot.id}"))
    assert fresh(Requirement, theirs.id).status == RequirementStatus.OPEN


def test_an_officer_cannot_join_a_published_lot(as_, people, published):
    _, lot = published
    mine = make_requirement(people("camden"), title="Late laptops")

    page = text_of(as_("camden").get(f"/lots/{lot.id}"))
    assert "Join this lot" not in page
    response = submit(as_("camden"), "/opportunities", {"requirement_id": str(mine.id)}, action=f"/lots/{lot.id}/join")

    assert response.status_code == 302
    assert "Lots can only be joined while the framework is in draft; it is open." in text_of(
        as_("camden").get(f"/lots/{lot.id}"))
    assert fresh(Requirement, mine.id).status == RequirementStatus.OPEN
