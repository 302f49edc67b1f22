"""The contact list's filters fold on a phone, open while one is set (issue 14)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from netzwerk.accounts.models import User
from tests.factories import ContactFactory


@pytest.mark.parametrize(
    ("query", "opened"),
    [
        ("", False),
        ("?q=weiß", False),  # the search stays in view on a phone
        ("?sort=cadence", False),  # an order filters nothing
        ("?circle=regular", True),
        ("?key=on", True),
        ("?sorting=unsorted&q=x", True),
    ],
)
def test_the_folded_filters_open_while_one_is_set(
    owner: User, owner_client: Client, query: str, opened: bool
) -> None:
    ContactFactory(owner=owner)
    html = owner_client.get(reverse("contacts:list") + query).content.decode()
    (toggle,) = re.findall(r'<details class="filters-toggle"[^>]*>', html)
    assert ("open" in toggle) is opened
