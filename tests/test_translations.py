"""German is the default language: every text of the interface has a German translation."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    "manage.py",
    "netzwerk",
    "contacts",
    "touchpoints",
    "reminders",
    "privacy",
    "coaching",
    "imports",
    "templates",
    "locale",
]


def require(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is missing: .ci/run installs gettext")
        pytest.skip(f"{tool} is missing (apt-get install gettext)")


def test_every_text_in_the_code_has_a_german_translation(tmp_path: Path) -> None:
    require("xgettext")
    for name in SOURCES:
        source = ROOT / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "netzwerk.settings", "DJANGO_DEBUG": "true"}
    env["NETZWERK_DATA_DIR"] = str(tmp_path / "data")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    catalogue = tmp_path / "locale/de/LC_MESSAGES/django.po"

    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(catalogue)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", str(catalogue)], capture_output=True, text=True, check=True
    ).stdout

    assert untranslated == "", f"translate these (make messages):\n{untranslated}"
    assert fuzzy == "", f"check these fuzzy translations:\n{fuzzy}"


def test_the_compiled_catalogue_matches_its_source(tmp_path: Path) -> None:
    require("msgfmt")
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(ROOT / "locale/de/LC_MESSAGES/django.po")], check=True
    )

    assert compiled.read_bytes() == (ROOT / "locale/de/LC_MESSAGES/django.mo").read_bytes()


def test_a_german_user_sees_german_pages(owner_client: Client, owner) -> None:
    owner.language = "de"
    owner.save()

    body = owner_client.get(reverse("contacts:list")).content.decode()

    assert '<html lang="de">' in body
    for text in ("Kontakte", "Enge Verbindungen", "Neuer Kontakt", "Dein Netzwerk beginnt hier."):
        assert text in body


def test_djangos_empty_choice_label_is_german_too() -> None:
    """Django 6.1's "- Select an option -" has no German in Django's catalogue; ours has."""
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.utils import translation

    with translation.override("de"):
        assert str(BLANK_CHOICE_LABEL) == "– Bitte wählen –"


# R6's second outcome has one wording; any other phrasing of it, in either language, is a slip.
NOT_NOW = {"en": "not now", "de": "gerade nicht"}
OTHER_NOT_NOWS = re.compile(
    r"not (right|just) now|not at the moment|not currently|not for now|"
    r"jetzt nicht|nicht jetzt|momentan nicht|derzeit nicht|zurzeit nicht|im moment nicht|aktuell nicht",
    re.IGNORECASE,
)


def test_not_now_has_one_wording_in_each_language() -> None:
    with (ROOT / "locale/de/LC_MESSAGES/django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    pairs = [(key if isinstance(key, str) else key[0], text) for key, text in catalogue.items() if key]
    said = [(msgid, text) for msgid, text in pairs if NOT_NOW["en"] in msgid.lower()]

    assert len(said) >= 4  # the outcome, the question on the contact page and on Today, the refusal
    assert all(NOT_NOW["de"] in text.lower() for _msgid, text in said), said
    assert [pair for pair in pairs if OTHER_NOT_NOWS.search(" ".join(pair))] == []
