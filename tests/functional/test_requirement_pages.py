"""The pages of requirements, over HTTP with CSRF as a browser sends them: an officer states and changes their
authority's requirements (until they are pooled), and the admin sees London's demand by category.

Data a page is not about is built through the real services; the page under test is always driven through
its form."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.types import london_today
from frameworks.requirements.models import Requirement, RequirementStatus
from tests.functional.framework_pages_support import (
    Tables,
    assert_summary_links_to,
    audit_actions,
    count,
    fresh,
    make_requirement,
    requirement_form,
    submit,
    text_of,
)
from tests.support import csrf_token


def test_an_officer_states_a_requirement_for_their_authority(as_, people):
    response = submit(as_("camden"), "/requirements/new", requirement_form())

    assert response.status_code == 302
    assert response.headers["Location"] == "/requirements"
    requirement = db.session.scalar(select(Requirement))
    assert requirement.organisation_id == people("camden").organisation_id
    assert requirement.created_by_id == people("camden").id
    assert (requirement.quantity, requirement.unit, requirement.estimated_unit_price) == (
        Decimal("200"), "laptop", Decimal("800.00"))
    assert requirement.status == RequirementStatus.OPEN
    assert audit_actions("Requirement") == ["requirement.created"]
    listing = text_of(as_("camden").get("/requirements"))
    assert "Requirement “Laptops for social workers” saved." in listing
    assert "200 laptops" in listing and "£160,000.00" in listing


@pytest.mark.parametrize("changes, field_id, message", [
    ({"quantity": "0"}, "quantity", "Enter a quantity above 0."),
    ({"category": "devices", "unit": "vCPU-month"}, "unit",
     "For end-user devices, the unit is one of: device, laptop, desktop, tablet, monitor."),
    ({"needed_by": london_today() - timedelta(days=1)}, "needed_by",
     "The date it is needed by cannot be in the past."),
    ({"quantity": "sNaN"}, "quantity", "Enter a number, like 1250.00."),
    ({"estimated_unit_price": "Infinity"}, "estimated_unit_price", "Enter a number, like 1250.00."),
], ids=["zero-quantity", "unit-not-of-the-category", "date-in-the-past", "snan-quantity", "infinite-price"])
def test_a_bad_requirement_is_refused_with_the_message_linked_from_the_error_summary(
        as_, changes, field_id, message):
    response = submit(as_("camden"), "/requirements/new", requirement_form(**changes))

    assert response.status_code == 422
    assert_summary_links_to(response, field_id, message, "needed_by-day" if field_id == "needed_by" else None)
    assert "<title>Error: State a requirement" in text_of(response)
    assert count(Requirement) == 0


def test_an_officer_changes_their_own_open_requirement(as_, people):
    requirement = make_requirement(people("camden"))
    page = f"/requirements/{requirement.id}/edit"

    form = text_of(as_("camden").get(page))
    assert 'value="Laptops for social workers"' in form
    response = submit(as_("camden"), page, requirement_form(title="Rugged laptops", quantity="250"))

    assert response.status_code == 302
    changed = fresh(Requirement, requirement.id)
    assert (changed.title, changed.quantity) == ("Rugged laptops", Decimal("250"))
    assert audit_actions("Requirement") == ["requirement.created", "requirement.updated"]


@pytest.mark.parametrize("who", ["hackney", "admin", "supplier"])
def test_nobody_else_can_change_an_authority_s_requirement(as_, people, who):
    requirement = make_requirement(people("camden"))
    page = f"/requirements/{requirement.id}/edit"
    token = csrf_token(as_(who), "/opportunities")

    assert as_(who).get(page).status_code == 403
    response = as_(who).post(page, data={"csrf_token": token, **requirement_form(title="Hijacked")})

    assert response.status_code == 403
    assert fresh(Requirement, requirement.id).title == "Laptops for social workers"


def test_a_pooled_requirement_cannot_be_changed(as_, people, draft):
    _, lot = draft
    camden = people("camden").organisation_id
    pooled = next(p.requirement for p in lot.pooled if p.requirement.organisation_id == camden)
    page = f"/requirements/{pooled.id}/edit"

    response = submit(as_("camden"), page, requirement_form(quantity="999"))

    assert response.status_code == 409
    assert "This requirement is pooled; only an open one can be changed." in text_of(response)
    assert fresh(Requirement, pooled.id).quantity == Decimal("200")
    listing = text_of(as_("camden").get("/requirements"))
    assert f'href="{page}"' not in listing, "a pooled requirement is not offered for editing"


def test_the_admin_sees_london_s_demand_by_category_with_its_totals(as_, people):
    make_requirement(people("camden"))  # 200 at £800: £160,000
    make_requirement(people("hackney"), quantity=Decimal("100"), estimated_unit_price=Decimal("750.50"))  # £75,050
    make_requirement(people("camden"), title="Monitors", unit="monitor", quantity=Decimal("30"),
                     estimated_unit_price=Decimal("150"))  # £4,500
    make_requirement(people("hackney"), title="Virtual servers", category="cloud_hosting", unit="vCPU-month",
                     quantity=Decimal("1000"), estimated_unit_price=Decimal("22.25"))  # £22,250
    withdrawn = make_requirement(people("camden"), title="Old servers", category="cloud_hosting",
                                 unit="vCPU-month", quantity=Decimal("99"), estimated_unit_price=Decimal("10"))
    db.session.execute(update(Requirement).where(Requirement.id == withdrawn.id)
                       .values(status=RequirementStatus.WITHDRAWN))
    db.session.commit()

    response = as_("admin").get("/requirements")

    assert response.status_code == 200
    demand = Tables(text_of(response)).rows("Open and pooled requirements by category")
    assert demand == [
        ["Cloud hosting", "1", "1", "£22,250.00"],
        ["End-user devices", "3", "2", "£239,550.00"],
    ]
    assert "Demand across London by category" not in text_of(as_("camden").get("/requirements"))


def test_the_units_are_grouped_by_their_category_for_the_page_to_offer_only_the_chosen_one_s(as_):
    form = text_of(as_("camden").get("/requirements/new"))

    unit = re.search(r'<select [^>]*id="unit"[^>]*>(.*?)</select>', form, re.S)
    assert unit and 'data-category-field="category"' in unit.group(0)
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', unit.group(1), re.S))
    assert re.findall(r'value="([^"]+)"', groups["Cloud hosting"]) == ["vCPU-month", "TB-month", "instance-month"]
    assert re.findall(r'value="([^"]+)"', groups["Managed print"]) == ["device", "page"]
    assert '"cloud_hosting": "Cloud hosting"' in unit.group(0)
