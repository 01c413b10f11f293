"""The audit log's page names a lot as people know it (its number within its framework and its title), not by
its database id."""
import re

import pytest

from tests.functional.frameworks_support import PEOPLE, World
from tests.functional.pages_support import page
from tests.support import sign_in


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def test_the_audit_page_names_a_lot_by_its_number_and_title_not_its_id(app, world):
    framework, lot = world.draft_with_lot()
    admin = app.test_client()
    sign_in(admin, PEOPLE["admin"][0])
    html = page(admin.get("/admin/audit?object_type=Lot"))
    cells = [re.sub(r"<[^>]+>", "", row.split("</td>")[3]).strip()
             for row in html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]]
    assert cells == [f"Lot {lot['number']}: {lot['title']}"]
    assert f"Lot {lot['id']}<" not in html
    # Other objects are still shown by their type and id.
    everything = page(admin.get("/admin/audit?object_type=Framework"))
    assert f"Framework {framework['id']}" in everything
