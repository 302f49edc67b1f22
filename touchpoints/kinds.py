"""The kinds of touch, with their weight and class, in one place.

Personal touches weigh more than digital ones (R12); a like or a mass mail weighs nothing and
never counts as a touch (R6: it does not qualify).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CALL = "call", _("Call")
    VIDEO_CALL = "video_call", _("Video call")
    MEETING = "meeting", _("Meeting in person")
    CARD = "card", _("Handwritten card")
    LETTER = "letter", _("Letter")
    GIFT = "gift", _("Gift")
    BIRTHDAY_GIFT = "birthday_gift", _("Birthday gift")
    EVENT = "event", _("Event encounter")
    EMAIL = "email", _("E-mail")
    MESSAGE = "message", _("Message")
    SOCIAL = "social", _("Social-media interaction")
    REACTION = "reaction", _("Like or reaction")
    MASS_MAIL = "mass_mail", _("Newsletter or mass mail")


@dataclass(frozen=True)
class KindInfo:
    weight: float
    personal: bool

    @property
    def qualifies(self) -> bool:
        """Counts as a touch: for cadence (R7), prospects (R6) and 'last touch'."""
        return self.weight > 0


KINDS: dict[str, KindInfo] = {
    Kind.MEETING: KindInfo(weight=3.0, personal=True),
    Kind.BIRTHDAY_GIFT: KindInfo(weight=3.0, personal=True),
    Kind.CARD: KindInfo(weight=2.5, personal=True),
    Kind.CALL: KindInfo(weight=2.0, personal=True),
    Kind.VIDEO_CALL: KindInfo(weight=2.0, personal=True),
    Kind.LETTER: KindInfo(weight=2.0, personal=True),
    Kind.GIFT: KindInfo(weight=2.0, personal=True),
    Kind.EVENT: KindInfo(weight=1.5, personal=True),
    Kind.EMAIL: KindInfo(weight=1.0, personal=False),
    Kind.MESSAGE: KindInfo(weight=1.0, personal=False),
    Kind.SOCIAL: KindInfo(weight=0.5, personal=False),
    Kind.REACTION: KindInfo(weight=0.0, personal=False),
    Kind.MASS_MAIL: KindInfo(weight=0.0, personal=False),
}

PERSONAL_KINDS = frozenset(kind for kind, info in KINDS.items() if info.personal)
QUALIFYING_KINDS = frozenset(kind for kind, info in KINDS.items() if info.qualifies)
