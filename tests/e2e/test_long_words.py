"""German makes long words: a company or a tag with no break in it must wrap on a 375 px phone
(and a laptop) rather than push the page sideways."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import log_in
from tests.factories import ContactFactory, TagFactory, UserFactory

COMPANY = "Österreichische Donaudampfschifffahrtsgesellschaftskapitänsvereinigung"
TAG = "Wirtschaftskammerveranstaltungsteilnehmerin"


def no_sideways_scroll(tab: Any) -> None:
    """Against the device's width: a phone's browser widens window.innerWidth to a page that is
    too wide (and zooms out), so comparing with it passes the very page that scrolls."""
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"], f"{tab.url} is {width} px wide"


def test_long_words_wrap_on_the_contact_pages_and_the_quick_log(page: Any, live_server: Any) -> None:
    email = f"lange-woerter-{page.viewport_size['width']}@netzwerk.test"
    owner = UserFactory(email=email, language="de")
    contact = ContactFactory(owner=owner, first_name="Jürgen", last_name="Weiß", company=COMPANY)
    contact.tags.add(TagFactory(owner=owner, name=TAG))
    log_in(page, live_server.url, email)

    page.goto(live_server.url + contact.get_absolute_url())
    no_sideways_scroll(page)

    page.goto(f"{live_server.url}/contacts/")
    page.locator(".contact-row", has_text=TAG).wait_for()
    no_sideways_scroll(page)

    page.goto(f"{live_server.url}/touches/")
    page.fill("#quick-q", "weiß")
    page.locator("#quick-matches .match", has_text=COMPANY).wait_for()
    no_sideways_scroll(page)
