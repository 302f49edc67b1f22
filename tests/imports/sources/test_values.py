"""The readers' shared cleaning of e-mail addresses: several in one value, names beside them,
and an address with a space in it kept as written rather than made into another."""

from __future__ import annotations

import pytest

from imports.sources import values


@pytest.mark.parametrize(
    ("written", "read", "unread"),
    [
        ("a@x.de, b@y.de", ["a@x.de", "b@y.de"], []),
        ("a@x.de b@y.de", ["a@x.de", "b@y.de"], []),
        ("Max Mustermann <Max@X.de>", ["max@x.de"], []),
        ("<max@x.de>.", ["max@x.de"], []),
        ("business 3@golker.de", [], ["business 3@golker.de"]),
        ("ok@x.de; business 3@golker.de", ["ok@x.de"], ["business 3@golker.de"]),
        ("keine Adresse", [], []),
    ],
)
def test_an_address_with_a_space_in_it_is_kept_as_written(
    written: str, read: list[str], unread: list[str]
) -> None:
    assert values.emails([written]) == read
    assert values.unreadable_emails([written]) == unread
