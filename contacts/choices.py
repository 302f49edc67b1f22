"""The choices a contact's fields take (its channel, circle, stage, sorting, prospect status) and
an organisation's kind, with what the rules read of them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    XING = "xing", "XING"
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X"
    EMAIL = "email", _("E-mail")
    EVENT = "event", _("Event")
    CLUB = "club", _("Club or association")
    TRADE_FAIR = "trade_fair", _("Trade fair")
    REFERRAL = "referral", _("Referral")
    OTHER = "other", _("Other")


# R1: a first contact through one of these channels is an online contact; only these make a
# contact online-only. Met at one of the in-person ones, a contact starts at "met in person".
ONLINE_CHANNELS = frozenset({Channel.LINKEDIN, Channel.XING, Channel.FACEBOOK, Channel.X, Channel.EMAIL})
IN_PERSON_CHANNELS = frozenset({Channel.EVENT, Channel.CLUB, Channel.TRADE_FAIR})


class Circle(models.TextChoices):
    STRONG = "strong", _("Strong tie")
    REGULAR = "regular", _("Regular")
    LOOSE = "loose", _("Loose")


class Stage(models.TextChoices):
    """R5: trust grows in stages; each is reached, never skipped to."""

    ONLINE = "online", _("Online contact")
    MET = "met", _("Met in person")
    RELATIONSHIP = "relationship", _("Relationship")
    STRONG_TIE = "strong_tie", _("Strong tie")


def starting_stage(how_met: str, stage: str = Stage.ONLINE) -> str:
    """R1: a new contact met at an event, a club or a fair starts at "met in person"."""
    return Stage.MET if how_met in IN_PERSON_CHANNELS and stage == Stage.ONLINE else stage


class Sorting(models.TextChoices):
    """R1, R10: what the user decided an imported contact is for. Contacts added by hand are
    decided as they are written (blank); an import's new contacts wait as UNSORTED, and no rule
    asks about them until the user sorts them (reminders.due leaves them out)."""

    NONE = "", _("Added by hand")
    UNSORTED = "unsorted", _("Imported, not sorted yet")
    PURSUE = "pursue", _("Pursue: meet in person soon")
    PROSPECT = "prospect", _("Prospect")
    REGULAR = "regular", _("Regular")
    LOOSE = "loose", _("Keep loose")
    ARCHIVE = "archive", _("Archive")


class ProspectStatus(models.TextChoices):
    NONE = "none", _("Not a prospect")
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    NOT_NOW = "not_now", _("Not now")


class OrganisationKind(models.TextChoices):
    CLUB = "club", _("Club")
    ASSOCIATION = "association", _("Association")
    TRADE_FAIR = "trade_fair", _("Trade fair")
    COMPANY_EVENT = "company_event", _("Company event")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")
