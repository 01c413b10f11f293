"""An officer's page of who sees their authority's data, computed from the frameworks it is in."""
import re
from html import unescape

from tests.functional.frameworks_support import World
from tests.support import sign_in


def _page(app, world, who: str) -> str:
    client = app.test_client()
    sign_in(client, world.user(who).email)
    answer = client.get("/data-sharing/who-sees")
    assert answer.status_code == 200
    return " ".join(unescape(answer.get_data(as_text=True)).split())


def test_it_names_the_other_authorities_of_each_framework_and_what_each_audience_sees(app, client, make_user):
    world = World(client, make_user)
    tendered, _ = world.published(title="Laptops for London")
    draft = world.framework(title="Tablets in draft")
    world.lot(draft["id"], [world.requirement("officer")["id"]])
    page = _page(app, world, "officer")
    sections = {part.split('"')[0]: part for part in page.split('id="framework-')[1:]}
    laptops, tablets = sections[str(tendered["id"])], sections[str(draft["id"])]
    assert "London Borough of Hackney" in laptops and "London Borough of Hackney" not in tablets
    assert "Anyone: suppliers and the public" in laptops and "quantities, estimated prices" in laptops
    assert "Shared under version 1, accepted by Fixture officer" in laptops
    assert "Everyone else signed in, except suppliers" in tablets
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "The consortium's admins Consort requirements, quantities, estimated prices" in text
    assert "(the current one)" in page


def test_an_authority_in_no_framework_is_told_only_the_consortium_sees_its_requirements(app, client, make_user):
    world = World(client, make_user)
    world.requirement("other_officer")
    assert "only the consortium's admins see them" in _page(app, world, "other_officer")


def test_the_page_is_for_officers(app, client, make_user):
    world = World(client, make_user)
    supplier = app.test_client()
    sign_in(supplier, world.user("supplier").email)
    assert supplier.get("/data-sharing/who-sees").status_code == 403
