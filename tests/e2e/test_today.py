"""Today in the browser: done with the gesture logged, and snooze, each item leaving in place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from contacts.choices import Circle, ProspectStatus
from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.e2e.conftest import log_in
from tests.factories import ContactFactory, UserFactory
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint


def network(email: str) -> tuple[Contact, Contact, Contact]:  # birthday, Ralf, Rita
    """A birthday five days ahead (the card is due) and two regular contacts gone red."""
    owner: User = UserFactory(email=email, language="de")
    now = timezone.now()
    soon = owner.local_date(now) + timedelta(days=5)
    birthday = ContactFactory(
        owner=owner,
        first_name="Greta",
        birthday_month=soon.month,
        birthday_day=soon.day,
        circle=Circle.REGULAR,
    )
    ledger.log_touch(birthday, kind=Kind.CALL, happened_at=now - timedelta(days=3))
    overdue = []
    for name, days in (("Ralf", 200), ("Rita", 150)):
        contact = ContactFactory(owner=owner, first_name=name, circle=Circle.REGULAR)
        ledger.log_touch(contact, kind=Kind.MEETING, happened_at=now - timedelta(days=days))
        overdue.append(contact)
    Contact.objects.filter(owner=owner).update(created_at=now - timedelta(days=365))
    return birthday, overdue[0], overdue[1]


def test_done_and_snooze_take_the_item_off_the_list_in_place(page: Any, live_server: Any) -> None:
    email = f"heute-{page.viewport_size['width']}@netzwerk.test"
    birthday, ralf, rita = network(email)
    log_in(page, live_server.url, email)
    page.evaluate("window.__noReload = true")

    cadence = page.locator("[data-testid=section-cadence]")
    expect(cadence.locator("[data-testid=count-cadence]")).to_have_text("2")
    card = page.locator("[data-testid=section-birthday] [data-testid=item]")
    expect(card).to_contain_text("Greta")
    expect(card).to_contain_text("Karte")

    # The logged card reloads the other sections: wait until the cadence section is replaced.
    before = cadence.element_handle()
    card.locator("[data-testid=done-log]").click()
    page.wait_for_function("section => !section.isConnected", arg=before)

    expect(page.locator("[data-testid=section-birthday]")).to_contain_text("Dieser Abschnitt ist erledigt.")
    expect(page.locator("[data-testid=section-birthday] .flashes-inline")).to_contain_text(
        "Erledigt: Handgeschriebene Karte mit Greta"
    )
    assert Touchpoint.objects.filter(contact=birthday, kind=Kind.CARD).count() == 1

    ralf_item = cadence.locator("[data-testid=item]", has_text="Ralf")
    ralf_item.locator("[data-testid=snooze]").click()
    ralf_item.locator("[data-testid=snooze-3]").click()

    expect(cadence.locator("[data-testid=count-cadence]")).to_have_text("1")
    expect(cadence.locator("[data-testid=item]", has_text="Ralf")).to_have_count(0)
    expect(cadence).to_contain_text("Rita")
    expect(cadence.locator(".flashes-inline")).to_contain_text("Zurückgestellt bis")  # where the eyes are
    expect(page.locator("#today-cadence-title")).to_be_focused()  # keyboard users stay in place

    # An overdue tie has no plain "done": only the touch the cadence asks for takes it off.
    rita_item = cadence.locator("[data-testid=item]", has_text="Rita")
    expect(rita_item.locator("[data-testid=done]")).to_have_count(0)
    expect(rita_item.locator("[data-testid=done-log]")).to_have_text(
        ["✓ Anruf mit Rita Weiß", "✓ Persönliches Treffen mit Rita Weiß", "✓ Nachricht mit Rita Weiß"]
    )
    # By keyboard: Tab to Rita's call, Enter; the call clears it, and the section says so.
    rita_item.get_by_role("button", name="✓ Anruf mit Rita Weiß").focus()
    page.keyboard.press("Enter")
    expect(cadence).to_contain_text("Dieser Abschnitt ist erledigt.")
    expect(cadence.locator(".done-note")).to_be_focused()
    expect(cadence.locator(".flashes-inline")).to_contain_text("Anruf mit Rita Weiß festgehalten.")
    assert page.evaluate("window.__noReload") is True
    assert Touchpoint.objects.filter(contact=rita, kind=Kind.CALL).count() == 1
    assert not Touchpoint.objects.filter(
        contact=ralf, happened_at__gte=timezone.now() - timedelta(days=1)
    ).exists()


def test_a_prospect_at_the_target_is_decided_in_one_click(page: Any, live_server: Any) -> None:
    """R6: Today's item asks "customer" or "not now"; one click records it and the item goes, and
    its undo brings it back."""
    email = f"ziel-{page.viewport_size['width']}@netzwerk.test"
    owner: User = UserFactory(email=email, language="de")
    now = timezone.now()
    prospect = ContactFactory(
        owner=owner,
        first_name="Paula",
        prospect_status=ProspectStatus.PROSPECT,
        prospect_since=now - timedelta(days=120),
    )
    for days_ago in range(7, 0, -1):
        ledger.log_touch(prospect, kind=Kind.CALL, happened_at=now - timedelta(days=days_ago))
    log_in(page, live_server.url, email)
    page.evaluate("window.__noReload = true")

    item = page.locator("[data-testid=section-prospect] [data-testid=item]", has_text="Paula")
    expect(item).to_contain_text("7/7")
    expect(item.locator("[data-testid=done]")).to_have_count(0)
    item.get_by_role("button", name="Gerade nicht").click()

    expect(page.locator("[data-testid=section-prospect]")).to_contain_text("Dieser Abschnitt ist erledigt.")
    expect(page.locator("[data-testid=section-prospect] .flashes-inline")).to_contain_text(
        "Paula Weiß: Gerade nicht."
    )
    assert page.evaluate("window.__noReload") is True
    prospect.refresh_from_db()
    assert prospect.prospect_status == ProspectStatus.NOT_NOW

    # a click too many: taken back in place, the prospect asks again
    section = page.locator("[data-testid=section-prospect]")
    section.locator(".flashes-inline").get_by_role("button", name="Rückgängig machen").click()

    expect(section.locator("[data-testid=item]", has_text="Paula")).to_have_count(1)
    expect(section.locator(".flashes-inline")).to_contain_text(
        "Rückgängig gemacht: Paula Weiß ist wieder Interessent."
    )
    assert page.evaluate("window.__noReload") is True
    prospect.refresh_from_db()
    assert (prospect.prospect_status, prospect.prospect_outcome_at) == (ProspectStatus.PROSPECT, None)


def test_a_snooze_is_undone_in_place(page: Any, live_server: Any) -> None:
    email = f"zurueck-{page.viewport_size['width']}@netzwerk.test"
    _birthday, _ralf, _rita = network(email)
    log_in(page, live_server.url, email)
    page.evaluate("window.__noReload = true")
    cadence = page.locator("[data-testid=section-cadence]")

    ralf_item = cadence.locator("[data-testid=item]", has_text="Ralf")
    ralf_item.locator("[data-testid=snooze]").click()
    ralf_item.locator("[data-testid=snooze-7]").click()
    expect(cadence.locator("[data-testid=item]", has_text="Ralf")).to_have_count(0)

    cadence.locator(".flashes-inline").get_by_role("button", name="Rückgängig machen").click()

    expect(cadence.locator("[data-testid=item]", has_text="Ralf")).to_have_count(1)
    expect(cadence.locator(".flashes-inline")).to_contain_text("Rückgängig gemacht: wieder auf deiner Liste.")
    expect(page.locator("[data-testid=count-cadence]")).to_have_text("2")
    assert page.evaluate("window.__noReload") is True
