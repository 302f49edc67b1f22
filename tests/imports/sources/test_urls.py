from __future__ import annotations

import pytest

from imports.sources.urls import normalise_profile_url, profile_from_handle


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.linkedin.com/in/max-mustermann",
        "https://de.linkedin.com/in/max-mustermann/",
        "http://linkedin.com/in/max-mustermann/de",
        "linkedin.com/in/max-mustermann",
        "www.linkedin.com/in/Max-Mustermann?trk=public_profile#top",
        "https://at.linkedin.com/in/max-mustermann/details/experience/",
        "https://m.linkedin.com/in/max-mustermann?locale=de_DE",
    ],
)
def test_it_gives_one_linkedin_url_for_every_form_of_a_profile(raw: str) -> None:
    assert normalise_profile_url(raw) == ("linkedin", "https://www.linkedin.com/in/max-mustermann")


def test_it_keeps_a_linkedin_handle_with_umlauts_percent_encoded() -> None:
    assert normalise_profile_url("https://www.linkedin.com/in/J%C3%BCrgen-m") == (
        "linkedin",
        "https://www.linkedin.com/in/j%C3%BCrgen-m",
    )
    assert normalise_profile_url("https://www.linkedin.com/in/jürgen-m") == (
        "linkedin",
        "https://www.linkedin.com/in/j%C3%BCrgen-m",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "https://www.xing.com/profile/Max_Mustermann/cv?sc_o=x",
            ("xing", "https://www.xing.com/profile/Max_Mustermann"),
        ),
        ("xing.com/profile/Max_Mustermann", ("xing", "https://www.xing.com/profile/Max_Mustermann")),
        (
            "https://m.facebook.com/max.mustermann?ref=bookmarks",
            ("facebook", "https://www.facebook.com/max.mustermann"),
        ),
        (
            "https://www.facebook.com/profile.php?id=100012345&ref=x",
            ("facebook", "https://www.facebook.com/profile.php?id=100012345"),
        ),
        ("https://twitter.com/MaxM?s=20", ("x", "https://x.com/maxm")),
        ("x.com/maxm", ("x", "https://x.com/maxm")),
        ("https://instagram.com/max.m/", ("instagram", "https://www.instagram.com/max.m")),
        ("http://www.Privat.de/", ("website", "http://www.privat.de")),
        ("www.kinderland-ufftata.de", ("website", "https://www.kinderland-ufftata.de")),
        ("https://example.com/a/?b=1#c", ("website", "https://example.com/a?b=1")),
        ("https://www.linkedin.com/company/sap", ("website", "https://www.linkedin.com/company/sap")),
        ("https://www.xing.com/pages/sap", ("website", "https://www.xing.com/pages/sap")),
        ("http\\://www.ibm.com", ("website", "http://www.ibm.com")),
    ],
)
def test_it_classifies_and_normalises_profiles(raw: str, expected: tuple[str, str]) -> None:
    assert normalise_profile_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "not a url", "mailto:max@example.com", "javascript:alert(1)", "ftp://example.com/x",
     "http://", "foo", "https://exa mple.com", "tel:+4930123", "http://[::1", "https://example.com:port/"],
)  # fmt: skip
def test_it_returns_none_for_what_is_no_web_address(raw: str) -> None:
    assert normalise_profile_url(raw) is None


def test_it_makes_profiles_of_bare_handles() -> None:
    assert profile_from_handle("x", "@MaxM") == ("x", "https://x.com/maxm")
    assert profile_from_handle("linkedin", "max-mustermann") == (
        "linkedin",
        "https://www.linkedin.com/in/max-mustermann",
    )
    assert profile_from_handle("linkedin", "not a handle") is None
    assert profile_from_handle("website", "max") is None
