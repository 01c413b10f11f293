"""An officer reads who sees their authority's data, accepts the new version of the data-sharing agreement, and
downloads their own data, in a real browser."""
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.types import london_today
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.sharing import services as sharing
from tests.browser.test_framework_journey import sign_in
from tests.functional.framework_pages_support import make_framework, make_lot, make_requirement

pytestmark = pytest.mark.browser


@pytest.fixture
def tendered(make_user):
    """Islington and Camden pooled in a published framework under version 1; then the consortium publishes version 2."""
    admin = make_user("ada@ldpc.example", "admin", org="London Digital Purchasing Consortium")
    islington = make_user("ines@islington.gov.uk", "officer", org="London Borough of Islington")
    camden = make_user("olivia@camden.gov.uk", "officer", org="London Borough of Camden")
    framework = make_framework(admin, title="Laptops for London")
    make_lot(admin, framework.id, [make_requirement(islington).id, make_requirement(camden).id])
    frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
    sharing.publish(admin, sharing.AgreementText(
        "London data-sharing agreement", "The authorities share their requirements.", "Joint procurement.",
        "Requirements, quantities, estimated prices, spend, savings.", "Public task.", "The consortium.",
        london_today() + timedelta(days=365)), london_today())
    return islington


def test_an_officer_reads_who_sees_their_data_accepts_the_agreement_and_downloads_their_data(live_server, page,
                                                                                             tendered):
    sign_in(page, live_server, tendered.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data sharing").click()
    page.get_by_role("link", name=re.compile("Who sees London Borough of Islington")).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("has not accepted version 2")
    laptops = page.get_by_role("region", name=re.compile("Laptops for London"))
    expect(laptops).to_contain_text("Shared under version 1")
    expect(laptops.get_by_role("row", name=re.compile("other authorities"))).to_contain_text("London Borough of Camden")
    expect(laptops.get_by_role("row", name=re.compile("suppliers and the public"))).to_contain_text(
        "quantities, estimated prices")

    main.get_by_role("link", name="accepts it").click()
    page.get_by_label("Your full name").fill("Ines Ortega")
    page.get_by_label("Your position").fill("Head of procurement")
    page.get_by_label(re.compile("I have read this version")).check()
    page.get_by_role("button", name="Accept the agreement").click()
    expect(page.get_by_role("status").first).to_contain_text("its requirements can be pooled")
    expect(page.get_by_role("main")).to_contain_text("through Ines Ortega (Head of procurement)")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == tendered.email
    assert [(a["version"], a["name"]) for a in data["data_sharing_acceptances"]] == [(2, "Ines Ortega")]
