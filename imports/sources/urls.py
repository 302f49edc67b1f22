"""Profile URLs in one form, so that the same profile found in two files is one profile.

Canonical hosts: www.linkedin.com (for de., at., m. … too), www.xing.com, www.facebook.com (also
for fb.com and m./de-de.), x.com (for twitter.com) and www.instagram.com; always https. A
profile is its handle only: LinkedIn's locale segments (`/in/max/de`), tracking queries and
fragments are dropped, and the handles of LinkedIn, X, Instagram and Facebook lower-cased (those
sites ignore case). XING's keep their case. Anything else is a "website": scheme (http stays
http), host lower-cased, query kept, fragment and a trailing slash dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import SplitResult, parse_qs, quote, unquote, urlsplit

# host (without subdomains) -> (profile key, canonical host)
SITES = {
    "linkedin.com": ("linkedin", "www.linkedin.com"),
    "xing.com": ("xing", "www.xing.com"),
    "facebook.com": ("facebook", "www.facebook.com"),
    "fb.com": ("facebook", "www.facebook.com"),
    "twitter.com": ("x", "x.com"),
    "x.com": ("x", "x.com"),
    "instagram.com": ("instagram", "www.instagram.com"),
}
# First path segments of these sites that are pages of the site, not somebody's profile.
NOT_HANDLES = frozenset(
    {"home", "intent", "share", "sharer", "search", "hashtag", "i", "explore", "p", "reel", "groups",
     "pages", "events", "watch", "login", "settings", "help", "about", "privacy", "legal"}
)  # fmt: skip
HOST = re.compile(r"^(?:[\w-]+\.)+(?:[^\W\d_]{2,}|xn--[\w-]+)$")
HANDLE_SAFE = "-_.~@"
SPACE = re.compile(r"\s")


def normalise_profile_url(raw: str) -> tuple[str, str] | None:
    """(key, url) with key in records.PROFILE_KEYS, or None when `raw` is no web address."""
    parts = _split(raw)
    if parts is None:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    site = _site(host)
    if site is not None:
        key, canonical = site
        path = PROFILE_PATHS[key](parts)
        if path is not None:
            return key, f"https://{canonical}{path}"
    return "website", _website(parts, host)


def profile_from_handle(key: str, handle: str) -> tuple[str, str] | None:
    """A bare handle given for a known site (X-TWITTER:@max, X-SOCIALPROFILE;TYPE=linkedin:max)."""
    handle = handle.strip().lstrip("@")
    if not re.fullmatch(r"[\w.-]{1,100}", handle):
        return None
    templates = {
        "linkedin": "www.linkedin.com/in/{}",
        "xing": "www.xing.com/profile/{}",
        "facebook": "www.facebook.com/{}",
        "x": "x.com/{}",
        "instagram": "www.instagram.com/{}",
    }
    template = templates.get(key)
    return normalise_profile_url(template.format(handle)) if template else None


def _split(raw: str) -> SplitResult | None:
    # vCard 3.0 exporters escape the colon (`http\://`), which vobject leaves in URL values
    text = raw.strip().replace("\\:", ":").replace("\\,", ",").replace("\\;", ";")
    if not text or len(text) > 2000 or not text.isprintable() or SPACE.search(text):
        return None
    if text.startswith("//"):
        text = "https:" + text
    elif not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)", text):
            return None  # mailto:, tel:, javascript: …
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 -- raises ValueError for a port that is no number
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not HOST.match(host.rstrip(".")):
        return None
    return parts


def _site(host: str) -> tuple[str, str] | None:
    labels = host.split(".")
    return SITES.get(".".join(labels[-2:])) if len(labels) >= 2 else None


def _segments(parts: SplitResult) -> list[str]:
    return [segment for segment in parts.path.split("/") if segment]


def _handle(segment: str, *, lower: bool = True) -> str:
    text = unquote(segment)
    return quote(text.lower() if lower else text, safe=HANDLE_SAFE)


def _linkedin(parts: SplitResult) -> str | None:
    segments = _segments(parts)
    if len(segments) >= 2 and segments[0].lower() == "in":
        return f"/in/{_handle(segments[1])}"  # `/in/max/de`, `/in/max/details/…`: the profile
    if len(segments) >= 2 and segments[0].lower() == "pub":
        return "/pub/" + "/".join(_handle(segment) for segment in segments[1:5])
    member = parse_qs(parts.query).get("id")
    if segments and segments[0].lower() == "profile" and member:
        return f"/profile/view?id={quote(member[0], safe='')}"
    return None


def _xing(parts: SplitResult) -> str | None:
    segments = _segments(parts)
    if len(segments) >= 2 and segments[0].lower() == "profile":
        return f"/profile/{_handle(segments[1], lower=False)}"
    return None


def _facebook(parts: SplitResult) -> str | None:
    segments = _segments(parts)
    if not segments or segments[0].lower() in NOT_HANDLES:
        return None
    if segments[0].lower() == "profile.php":
        member = parse_qs(parts.query).get("id")
        return f"/profile.php?id={quote(member[0], safe='')}" if member else None
    if segments[0].lower() == "people" and len(segments) >= 3:
        return f"/people/{_handle(segments[1], lower=False)}/{_handle(segments[2])}"
    return f"/{_handle(segments[0])}"


def _first_segment(parts: SplitResult) -> str | None:
    """X and Instagram: the handle is the first segment."""
    segments = _segments(parts)
    if not segments or segments[0].lower() in NOT_HANDLES:
        return None
    return f"/{_handle(segments[0])}"


PROFILE_PATHS: dict[str, Callable[[SplitResult], str | None]] = {
    "linkedin": _linkedin,
    "xing": _xing,
    "facebook": _facebook,
    "x": _first_segment,
    "instagram": _first_segment,
}


def _website(parts: SplitResult, host: str) -> str:
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{netloc}{path}{query}"
