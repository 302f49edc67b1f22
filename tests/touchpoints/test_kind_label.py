"""A touch's kind as the timeline words it: the label Django's own `get_kind_display` gives, from
the kind's choices (touchpoints.models.Touchpoint overrides it, as Django's built a dictionary of
every translated choice on each call)."""

from __future__ import annotations

import pytest
from django.utils import translation

from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_kind_reads_as_its_choice(language: str) -> None:
    choices = Touchpoint._meta.get_field("kind").flatchoices
    with translation.override(language):
        expected = {value: str(label) for value, label in choices}
        assert {kind: Touchpoint(kind=kind).get_kind_display() for kind in Kind.values} == expected
    assert Touchpoint(kind="carrier-pigeon").get_kind_display() == "carrier-pigeon"  # as Django's
