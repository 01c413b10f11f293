"""The pages about the service, linked from every page's footer, and the navigation's menu button for phones."""
import re

import pytest

from tests.functional.framework_pages_support import text_of


@pytest.mark.parametrize(("path", "heading"), [("/accessibility", "Accessibility statement for Consort"),
                                               ("/cookies", "Cookies on Consort")])
def test_the_statements_are_public_pages(client, path, heading):
    response = client.get(path)

    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in text_of(response)


@pytest.mark.parametrize("who", [None, "camden"])
def test_every_page_s_footer_links_the_accessibility_statement_the_privacy_notice_and_cookies(client, as_, who):
    text = text_of((as_(who) if who else client).get("/opportunities"))

    footer = re.search(r'<footer class="site-footer">.*?</footer>', text, re.S).group(0)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer) == [
        ("/accessibility", "Accessibility statement"), ("/privacy", "Privacy notice"), ("/cookies", "Cookies")]


def test_on_a_phone_the_navigation_is_behind_a_menu_button_that_needs_no_script(as_):
    text = text_of(as_("camden").get("/requirements"))

    menu = re.search(r'<details class="nav-menu">\s*<summary>Menu</summary>(.*?)</details>', text, re.S)
    assert menu, "the menu is a details element, which opens without JavaScript"
    wide = re.search(r'<div class="nav-wide">(.*?)</div>', text, re.S).group(1)
    links = re.compile(r'<a href="([^"]+)"')
    assert links.findall(menu.group(1)) == links.findall(wide) and "/requirements" in links.findall(wide)
