"""Accessibility (WCAG 2.1 AA) in the browser, in German, at a laptop's and a phone's width: axe-core
over the main pages and over forms showing their errors, the focus ring's contrast against what it
is drawn on, and Today's core loop by keyboard alone."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from contacts import roster
from contacts.choices import Channel, Circle, ProspectStatus, Stage
from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, ContactFactory, UserFactory
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # axe counts label-in-name (2.5.3, level A) as experimental and skips it unless asked.
    "rules": {"label-content-name-mismatch": {"enabled": True}},
    "resultTypes": ["violations"],
}
SECTIONS = ("birthday", "cadence", "promise", "prospect", "online_only")


def network(email: str) -> Contact:
    """Something due in each of Today's sections; returns the strong tie gone red (Ralf)."""
    owner: User = UserFactory(email=email, language="de", first_name="Anna")
    now = timezone.now()
    soon = owner.local_date(now) + timedelta(days=5)
    greta = ContactFactory(owner=owner, first_name="Greta", birthday_month=soon.month, birthday_day=soon.day)
    ledger.log_touch(greta, kind=Kind.CALL, happened_at=now - timedelta(days=3))
    ralf = ContactFactory(owner=owner, first_name="Ralf", company="Bauer & Söhne GmbH")
    roster.promote(ralf, now=now)
    rita = ContactFactory(owner=owner, first_name="Rita")
    for contact, days in ((ralf, 200), (rita, 150)):
        ledger.log_touch(contact, kind=Kind.MEETING, happened_at=now - timedelta(days=days), exchange="give")
    ledger.log_touch(
        rita,
        kind=Kind.MEETING,
        happened_at=now - timedelta(days=140),
        promise="Artikel schicken",
        promise_due=owner.local_date(now) - timedelta(days=2),
    )
    paula = ContactFactory(
        owner=owner,
        first_name="Paula",
        prospect_status=ProspectStatus.PROSPECT,
        prospect_since=now - timedelta(days=120),
    )
    for days_ago in range(7, 0, -1):
        ledger.log_touch(paula, kind=Kind.CALL, happened_at=now - timedelta(days=days_ago))
    olga = ContactFactory(
        owner=owner, first_name="Olga", circle=Circle.LOOSE, stage=Stage.ONLINE, how_met=Channel.LINKEDIN
    )
    ledger.log_touch(olga, kind=Kind.EMAIL, happened_at=now - timedelta(days=90))
    Contact.objects.filter(owner=owner).update(created_at=now - timedelta(days=365))
    return ralf


def axe_violations(page: Any, where: str) -> list[str]:
    """axe's violations on the page as it stands, one line per element: rule, target, messages."""
    page.wait_for_load_state("networkidle")  # the lazy parts (hx-trigger="load") are in
    results = Axe().run(page, options=AXE_OPTIONS).response
    found = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            messages = "; ".join(check["message"] for check in checks)
            found.append(f"{where}: {violation['id']} at {', '.join(node['target'])}: {messages}")
    return found


def test_the_main_pages_and_forms_with_errors_pass_axe(page: Any, live_server: Any) -> None:
    base = live_server.url
    email = f"axe-{page.viewport_size['width']}@netzwerk.test"
    ralf = network(email)
    found: list[str] = []

    page.goto(f"{base}/accounts/login/")
    found += axe_violations(page, "sign-in")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", "falsch")
    page.click("main form button[type=submit]")
    expect(page.locator("main form")).to_contain_text("leider falsch")
    found += axe_violations(page, "sign-in, wrong password")

    log_in(page, base, email)
    for section in SECTIONS:  # the network really fills Today
        expect(page.locator(f"[data-testid=section-{section}] [data-testid=item]").first).to_be_visible()
    found += axe_violations(page, "Today")
    page.locator("[data-testid=section-cadence] [data-testid=snooze]").first.click()
    found += axe_violations(page, "Today, snooze open")

    for where, path in (
        ("contact list", "/contacts/"),
        ("contact page", f"/contacts/{ralf.pk}/"),
        ("roster", "/contacts/roster/"),
        ("quick log", "/touches/"),
        ("settings", "/settings/"),
    ):
        page.goto(base + path)
        found += axe_violations(page, where)

    page.goto(f"{base}/touches/")
    page.locator("#quick-log .kind-buttons button").first.click()
    expect(page.locator("#quick-log .errorlist")).to_be_visible()
    found += axe_violations(page, "quick log, no contact chosen")

    page.goto(f"{base}/contacts/new/")
    page.click("#contact-form button[type=submit]")
    expect(page.locator("#contact-form .errorlist").first).to_be_visible()
    found += axe_violations(page, "new contact, submitted empty")

    assert found == [], "axe found:\n" + "\n".join(found)


# --- The focus ring ------------------------------------------------------------------------------

# The focused element's outline and what it is drawn on: for a ring outside the element, the
# backgrounds next to it (above, right, below, left; a pixel beyond it and in the gap inside it),
# each what paints there first with a background colour, else the page's; for a ring inset into
# the element, the element's own. And the box that cuts the ring off, if one does (overflow).
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const offset = parseFloat(style.outlineOffset), width = parseFloat(style.outlineWidth);
  const page = getComputedStyle(document.documentElement).backgroundColor;
  const opaque = (colour) => colour !== "transparent" && !/^rgba\\(.*, 0\\)$/.test(colour);
  const behind = ([x, y], self) => {
    for (const under of document.elementsFromPoint(x, y)) {
      if (!self && (under === el || el.contains(under))) continue;
      if (self && under !== el && !under.contains(el)) continue;
      const colour = getComputedStyle(under).backgroundColor;
      if (opaque(colour)) return colour;
    }
    return page;
  };
  const [midX, midY] = [rect.left + rect.width / 2, rect.top + rect.height / 2];
  const around = (d) => [[midX, rect.top - d], [rect.right + d, midY], [midX, rect.bottom + d], [rect.left - d, midY]];
  const points = offset + width <= 0 ? [[midX, midY]] : [
    ...around(offset + width + 1), ...(offset >= 1 ? around(offset / 2) : []),
  ].filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight);
  const out = Math.max(offset + width, 0);
  let clippedBy = null;
  for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
    if (getComputedStyle(box).overflow === "visible") continue;
    const edge = box.getBoundingClientRect();
    if (rect.left - out < edge.left - 0.5 || rect.right + out > edge.right + 0.5 ||
        rect.top - out < edge.top - 0.5 || rect.bottom + out > edge.bottom + 0.5) {
      clippedBy = box.outerHTML.split(">")[0] + ">";
      break;
    }
  }
  return {
    element: el.outerHTML.slice(0, 120),
    clippedBy: clippedBy,
    visible: el.matches(":focus-visible"),
    style: style.outlineStyle,
    width: width,
    colour: style.outlineColor,
    backgrounds: points.map((point) => behind(point, offset + width <= 0)),
  };
}"""


def rgb(colour: str) -> tuple[float, float, float]:
    values = re.findall(r"[\d.]+", colour)
    assert colour.startswith("rgb"), colour
    assert len(values) >= 3, colour
    if len(values) == 4:
        assert float(values[3]) == 1, f"a see-through colour: {colour}"
    red, green, blue = (float(value) for value in values[:3])
    return red, green, blue


def luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour."""
    channels = [value / 255 for value in rgb(colour)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_follows_wcag() -> None:  # the formula, against WCAG's own examples
    assert round(contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)"), 2) == 21
    assert round(contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)"), 2) == 4.54
    assert round(contrast("rgb(119, 119, 119)", "rgb(255, 255, 255)"), 2) == 4.48


def focus_problems(page: Any) -> list[str]:
    """What is wrong with the focused element's ring: not shown, too thin, cut off, or under 3:1 (1.4.11)."""
    ring = page.evaluate(FOCUS_RING)
    if ring is None:
        return ["the focus is on <body>"]
    where = ring["element"]
    if not ring["visible"] or ring["style"] == "none" or ring["width"] < 2:
        return [f"{where}: no focus ring ({ring['style']} {ring['width']}px)"]
    if ring["clippedBy"]:
        return [f"{where}: the ring is cut off by {ring['clippedBy']}"]
    if not ring["backgrounds"]:
        return [f"{where}: nothing around the ring is on screen"]
    ratio, background = min((contrast(ring["colour"], colour), colour) for colour in ring["backgrounds"])
    return [f"{where}: {ring['colour']} on {background} is {ratio:.2f}:1"] if ratio < 3 else []


# Marks the focused element; true if it was marked before (focus has come round again).
SEEN_BEFORE = """() => {
  const el = document.activeElement;
  const seen = el.hasAttribute("data-tabbed");
  el.setAttribute("data-tabbed", "");
  return seen;
}"""


def tab_through(page: Any, *, limit: int = 100) -> list[str]:
    """Tab through the page from its top, checking each element's ring, until focus comes round."""
    problems: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(SEEN_BEFORE):
            return problems
        problems += [problem for problem in focus_problems(page) if problem != "the focus is on <body>"]
    raise AssertionError(f"the focus did not come round in {limit} tabs")


def test_the_focus_ring_stands_out_from_every_background(page: Any, live_server: Any) -> None:
    base = live_server.url
    email = f"fokus-{page.viewport_size['width']}@netzwerk.test"
    ralf = network(email)
    log_in(page, base, email)
    problems: list[str] = []
    for path in ("/today/", f"/contacts/{ralf.pk}/", "/contacts/new/", "/settings/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        problems += [f"{path} {problem}" for problem in tab_through(page)]
    assert problems == [], "\n".join(problems)


# --- Today by keyboard ---------------------------------------------------------------------------


def press_tab_until(page: Any, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Tab (or Shift+Tab) until the element `selector` names has the focus; every stop shows its ring."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        assert focus_problems(page) == []
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} never got the focus")


def test_today_by_keyboard_alone(page: Any, live_server: Any) -> None:
    base = live_server.url
    email = f"tasten-{page.viewport_size['width']}@netzwerk.test"
    ralf = network(email)
    rita = Contact.objects.get(owner=ralf.owner, first_name="Rita")

    page.goto(f"{base}/accounts/login/")
    press_tab_until(page, "main input[name=login]")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/today/$"))
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__noReload = true")

    # Ralf's call, reached by Tab: Enter logs it and takes him off the list.
    cadence = page.locator("[data-testid=section-cadence]")
    before = cadence.element_handle()
    press_tab_until(page, f"[data-key='cadence:{ralf.pk}'] button[name=log][value=call]")
    assert "Ralf" in page.evaluate("document.activeElement.closest('li').innerText")
    page.keyboard.press("Enter")
    page.wait_for_function("section => !section.isConnected", arg=before)
    expect(cadence.locator("[data-testid=item]", has_text="Ralf")).to_have_count(0)
    expect(cadence.locator(".flashes-inline")).to_contain_text("Anruf mit Ralf Weiß festgehalten.")
    assert Touchpoint.objects.filter(contact=ralf, kind=Kind.CALL).count() == 1

    # The focus stays in the section, visibly, and the next Tab reaches the next item: Rita.
    page.wait_for_load_state("networkidle")  # the other sections reload after a touch
    expect(page.locator("#today-cadence-title")).to_be_focused()
    assert focus_problems(page) == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('li')?.innerText ?? ''").strip().startswith("Rita")

    # Rita snoozed: Tab to „Später“, Enter opens it, Tab to „3 Tage“, Space.
    press_tab_until(page, "[data-testid=section-cadence] [data-testid=snooze]")
    page.keyboard.press("Enter")
    press_tab_until(page, "[data-testid=section-cadence] [data-testid=snooze-3]")
    page.keyboard.press("Space")
    expect(cadence).to_contain_text("Dieser Abschnitt ist erledigt.")
    expect(cadence.locator(".done-note")).to_be_focused()
    assert focus_problems(page) == []
    # From there Tab goes on to the next section, and Shift+Tab back up the page.
    press_tab_until(page, "#today-birthday .what a", limit=1)
    press_tab_until(page, "[data-testid=my-network]", backwards=True, limit=2)  # past the snooze's undo
    assert page.evaluate("window.__noReload") is True
    assert not Touchpoint.objects.filter(contact=rita, happened_at__gte=timezone.now() - timedelta(days=1))
