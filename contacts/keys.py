"""The keys by which two contacts are certainly one person, as SQL expressions.

An e-mail address compares lower-cased; a phone number as stored (E.164, contacts.models.
normalise_phone); a social profile lower-cased and without its scheme, a leading "www." and a
trailing slash, so that "https://www.linkedin.com/in/max/" typed in the form and
"https://www.linkedin.com/in/max" read from an export are one profile. The website is no key:
colleagues share their company's. The indexes on these expressions (contacts.models) serve the
duplicate candidates (imports.duplicates) and the warning on save (contacts.evidence); a query
must spell the expression exactly as the index does, which is why both take it from here.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Func, Value
from django.db.models.functions import Lower, Replace

# profile key -> Contact field; the key also names the evidence ("same LinkedIn profile")
PROFILE_FIELDS = {
    "linkedin": "linkedin_url",
    "xing": "xing_url",
    "facebook": "facebook_url",
    "x": "x_url",
    "instagram": "instagram_url",
}


def email_key(field: str = "address") -> Lower:
    return Lower(field)


def profile_key(field: str) -> Func:
    text: Func = Lower(field)
    for prefix in ("https://", "http://", "www."):
        text = Replace(text, Value(prefix), Value(""))
    return Func(text, Value("/"), function="RTRIM", output_field=models.CharField())
