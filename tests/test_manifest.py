"""Netzwerk installs on a phone's home screen: every page names a manifest, and it holds."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_every_page_names_the_manifest_and_it_describes_an_installable_app(client: Client) -> None:
    page = client.get(reverse("account_login")).content.decode()
    assert f'<link rel="manifest" href="{reverse("manifest")}">' in page
    assert 'rel="apple-touch-icon"' in page

    response = client.get(reverse("manifest"), headers={"accept-language": "de"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["name"], manifest["display"], manifest["start_url"]) == (
        "Netzwerk",
        "standalone",
        reverse("reminders:today"),
    )
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes  # what a phone asks for to install
    for icon in manifest["icons"]:
        path = icon["src"].removeprefix("/static/")
        assert finders.find(path), icon["src"]
