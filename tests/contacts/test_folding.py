"""One folding for names, however their umlauts and accents were typed."""

from __future__ import annotations

import pytest

from contacts.folding import fold, fold_loose


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Schröder", "schroeder"),
        ("SCHRÖDER", "schroeder"),
        ("Weiß", "weiss"),
        ("Straße", "strasse"),
        ("Müller-Lüdenscheidt", "mueller luedenscheidt"),
        ("Ärzte", "aerzte"),
        ("José", "jose"),
        ("Zoë", "zoe"),
        ("Søren Ørsted", "soren orsted"),
        ("Yılmaz", "yilmaz"),
        ("Łukasz", "lukasz"),
        ("  Anna   Maria ", "anna maria"),
        ("O'Brien", "o brien"),
        ("", ""),
    ],
)
def test_it_folds_names(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("typed", ["Schröder", "Schroeder", "schroder", "SCHRODER"])
def test_loose_folding_finds_an_umlaut_however_it_was_typed(typed: str) -> None:
    assert fold_loose(typed) == "schroder"


@pytest.mark.django_db
def test_every_writer_keeps_the_folded_keys() -> None:
    from contacts import roster
    from contacts.models import Contact
    from tests.factories import ContactFactory, UserFactory

    owner = UserFactory()
    saved = ContactFactory(owner=owner, first_name="Jürgen", last_name="Weiß", company="Bauer & Söhne")
    [bulk] = roster.create_contacts(owner, [Contact(owner=owner, first_name="Zoë", last_name="Strauß")])
    saved.last_name = "Schröder"
    saved.save(update_fields=["last_name"])

    stored = dict(Contact.objects.filter(owner=owner).values_list("pk", "name_key"))
    assert stored == {saved.pk: "jurgen schroder", bulk.pk: "zo strauss"}
    assert (
        Contact.objects.get(pk=saved.pk).search_text == "jurgen schroder baur sohne"
    )  # "Bauer" folds as "Bauer" typed anyhow
