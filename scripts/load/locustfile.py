"""The load scenario: people signing in through the real form, then using Netzwerk as a browser does.

Each simulated person is one of the seeded users demo-user-0001@netzwerk.example … (see
`contacts.demo.extra_user_email`, password `contacts.demo.DEMO_PASSWORD`) and connects from a
loopback address of its own, 127.0.0.2, 127.0.0.3, …: allauth limits sign-ins per client address
(REMOTE_ADDR, the socket's peer, as no proxy is trusted), and a hundred people sign in from a
hundred machines, not from one.

After signing in they mix Today, a contact search (what the contact list's search box sends while
typing), a contact page with the three fragments the browser loads after it (contact_detail.html's
`hx-trigger="load"`), and logging a touch there (the log form, sent as htmx sends it from the
contact page, then the two fragments the `touch-logged` event reloads on that page).

Every request is kept as a sample (name, start, milliseconds, failed) and written as JSON to the
file named by NETZWERK_LOAD_SAMPLES when Locust quits; `scripts/load/run.py` turns them into figures.
Run it through that script (`make load`), not on its own.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment
from locust.exception import StopUser
from urllib3 import PoolManager

EMAIL = "demo-user-{:04d}@netzwerk.example"  # contacts.demo.extra_user_email
PASSWORD = "netzwerk-demo"  # contacts.demo.DEMO_PASSWORD
NOTE = "Kurz telefoniert (Lasttest)"
# Names of the demo network (contacts/demo_data.py): most searches find someone, a few find nobody.
SEARCHES = ("Müller", "Schmidt", "Anna", "Jürgen", "Weiß", "Huber", "Lena", "Kr", "Sch", "Nobody-Xyz")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONTACT_LINK = re.compile(r'href="/contacts/(\d+)/"')
HTMX = {"HX-Request": "true"}

_numbers = itertools.count(1)
_samples: list[dict[str, Any]] = []
_errors: list[str] = []


def loopback_address(number: int) -> str:
    """127.0.0.2 for the first person, then up; past 127.0.0.251 into 127.0.1.x and so on."""
    return f"127.0.{(number - 1) // 250}.{(number - 1) % 250 + 2}"


def _keep_sample(
    request_type: str, name: str, response_time: float, exception: Exception | None, **kwargs: Any
) -> None:
    start = kwargs.get("start_time") or time.time() - response_time / 1000
    _samples.append({"name": name, "start": start, "ms": response_time, "failed": exception is not None})
    if exception is not None and len(_errors) < 20:
        _errors.append(f"{request_type} {name}: {exception}")


def _keep_error(user_instance: Any, exception: Exception, tb: Any, **kwargs: Any) -> None:
    _samples.append({"name": "task error", "start": time.time(), "ms": 0.0, "failed": True})
    if len(_errors) < 20:
        _errors.append(f"task error: {exception!r}")


def _write_samples(environment: Environment, **kwargs: Any) -> None:
    path = os.environ.get("NETZWERK_LOAD_SAMPLES")
    if path:
        with open(path, "w", encoding="utf-8") as file:
            # Locust's own warning that its process went past 90 % CPU: its timings then include
            # waiting for the generator, not only for the server.
            busy = bool(getattr(environment.runner, "cpu_warning_emitted", False))
            json.dump({"samples": _samples, "errors": _errors, "generator_cpu_over_90": busy}, file)


# locust's hooks and HttpUser.__init__ carry no annotations.
events.request.add_listener(_keep_sample)  # type: ignore[no-untyped-call]
events.user_error.add_listener(_keep_error)  # type: ignore[no-untyped-call]
events.quitting.add_listener(_write_samples)  # type: ignore[no-untyped-call]


class Person(HttpUser):
    """One seeded user in a browser: signs in once, then reads and logs for the rest of the run."""

    wait_time = between(1, 3)  # a person reads a page before the next click

    def __init__(self, environment: Environment) -> None:
        self.number = next(_numbers)
        # Set before HttpUser builds its session: every connection leaves from this address.
        self.pool_manager = PoolManager(source_address=(loopback_address(self.number), 0))
        super().__init__(environment)  # type: ignore[no-untyped-call]
        self.contacts: list[str] = []

    def on_start(self) -> None:
        with self.client.get("/accounts/login/", name="sign_in_form", catch_response=True) as page:
            token = CSRF.search(page.text)
            if page.status_code != 200 or token is None:
                page.failure(f"no sign-in form ({page.status_code})")
                raise StopUser
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "login": EMAIL.format(self.number),
            "password": PASSWORD,
        }
        with self.client.post(
            "/accounts/login/", data=form, name="sign_in", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 302 or answer.headers.get("Location") != "/today/":
                answer.failure(f"not signed in ({answer.status_code}, to {answer.headers.get('Location')})")
                raise StopUser
        # A first round through every page (the landing on Today, then each task once), so even a
        # short run requests each; the mix follows.
        self.today()
        self.search()
        self.contact()
        self.log_touch()

    @task(4)
    def today(self) -> None:
        with self.client.get("/today/", name="today", catch_response=True) as page:
            self.expect(page, 'data-testid="my-network"')
            self.contacts.extend(CONTACT_LINK.findall(page.text))

    @task(3)
    def search(self) -> None:
        params = {"q": random.choice(SEARCHES)}
        with self.client.get(
            "/contacts/", params=params, headers=HTMX, name="search", catch_response=True
        ) as page:
            self.expect(page, 'id="contact-results"')
            self.contacts.extend(CONTACT_LINK.findall(page.text))

    @task(3)
    def contact(self) -> None:
        pk = self.some_contact()
        with self.client.get(f"/contacts/{pk}/", name="contact", catch_response=True) as page:
            self.expect(page, 'hx-trigger="load"')
        # What htmx fetches once the page has loaded (hx-trigger="load" in contact_detail.html).
        self.fragment(f"/touches/contact/{pk}/", "contact_touches", 'id="touches"')
        self.fragment(f"/today/contact/{pk}/reminders/", "contact_reminders", 'id="one-offs"')
        self.fragment(f"/touches/contact/{pk}/record/", "contact_record", 'id="touch-record"')

    @task(1)
    def log_touch(self) -> None:
        pk = self.some_contact()
        with self.client.get(
            f"/touches/contact/{pk}/", headers=HTMX, name="contact_touches", catch_response=True
        ) as panel:
            token = CSRF.search(panel.text)
            if token is None:
                panel.failure(f"no log form ({panel.status_code})")
                return
        form = {"csrfmiddlewaretoken": token.group(1), "kind": "call", "note": NOTE}
        url = f"/touches/contact/{pk}/log/"
        # htmx names the page it is on: from the contact page, the answer brings the rules panel
        # and the stage along (touchpoints.views.touchpoint_log).
        page = {**HTMX, "HX-Current-URL": f"{self.host}/contacts/{pk}/"}
        with self.client.post(url, data=form, headers=page, name="log_touch", catch_response=True) as answer:
            if answer.status_code != 200 or "touch-logged" not in answer.headers.get("HX-Trigger", ""):
                answer.failure(f"not logged ({answer.status_code})")
                return
            if 'id="contact-status"' not in answer.text:
                answer.failure("the rules panel did not come along")
                return
        # The `touch-logged` event makes the page reload its one-off reminders and its
        # mix-and-promises card (one_off_panel.html, touchpoint_record.html).
        self.fragment(f"/today/contact/{pk}/reminders/", "contact_reminders", 'id="one-offs"')
        self.fragment(f"/touches/contact/{pk}/record/", "contact_record", 'id="touch-record"')

    def fragment(self, url: str, name: str, marker: str) -> None:
        with self.client.get(url, headers=HTMX, name=name, catch_response=True) as part:
            self.expect(part, marker)
            if "<html" in part.text:
                part.failure("a whole page where a fragment was expected")

    def expect(self, response: Any, marker: str) -> None:
        if response.history:  # signed out on the way: sent to the sign-in form
            response.failure(f"redirected from {response.history[0].url} to {response.url}")
        elif response.status_code != 200:
            response.failure(f"status {response.status_code}")
        elif marker not in response.text:
            response.failure(f"{marker!r} missing")

    def some_contact(self) -> str:
        if not self.contacts:
            self.search()
        if not self.contacts:
            self.today()
        if not self.contacts:
            raise RuntimeError("this person's Today and searches show no contact")
        return random.choice(self.contacts[-50:])
