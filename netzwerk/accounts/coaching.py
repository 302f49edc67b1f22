"""Coach and client: invitations, acceptance, ending, sharing, and the access log.

Either side may invite the other by e-mail address; the invitee accepts while signed in with
that address verified. Access exists only from the acceptance until either side ends the link.
The coach admin reads `sharing_of(coach)` afresh on every request: an ended link refuses the
coach's next request, with no session to expire first. A refused read is in the access log of
a client (now or once) only; other refusals go to the security log and are rate-limited.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from netzwerk.accounts.models import (
    COACHES_GROUP,
    AccessLog,
    CoachLink,
    CoachLinkQuerySet,
    Sharing,
    Side,
    User,
)

log = logging.getLogger(__name__)
security = logging.getLogger("netzwerk.security")

INVITATIONS_PER_DAY = 10


class CoachingError(Exception):
    """An invitation or acceptance that cannot be: the message says why, for the user."""


def verified_emails(user: User) -> list[str]:
    return [
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    ]


def invite(
    inviter: User, *, as_side: Side, email: str, now: datetime, sharing: str = Sharing.HEALTH
) -> CoachLink:
    """`inviter` invites the owner of `email` to be their coach (as client) or client (as coach).

    Says nothing about whether the address has an account (no enumeration): the invitation
    waits for whoever signs in with it verified. At most INVITATIONS_PER_DAY a day, so the
    invitation e-mail cannot be used to flood an address.
    """
    email = email.strip().lower()
    with transaction.atomic():
        # The inviter's row locked: parallel invitations count one after the other.
        User.objects.select_for_update().filter(pk=inviter.pk).exists()
        sent = CoachLink.objects.filter(
            Q(client=inviter, invited_by=Side.CLIENT) | Q(coach=inviter, invited_by=Side.COACH)
        )
        if sent.filter(created_at__gt=now - timedelta(days=1)).count() >= INVITATIONS_PER_DAY:
            raise CoachingError(_("You have sent enough invitations for today. Please try again tomorrow."))
        if email in verified_emails(inviter) or email == inviter.email.lower():
            raise CoachingError(_("That is your own address."))
        open_links = CoachLink.objects.filter(email=email, ended_at__isnull=True)
        mine = (
            open_links.filter(client=inviter) if as_side == Side.CLIENT else open_links.filter(coach=inviter)
        )
        if mine.exists():
            raise CoachingError(_("You have already invited this address."))
        link = CoachLink.objects.create(
            invited_by=as_side,
            email=email,
            sharing=sharing if as_side == Side.CLIENT else Sharing.HEALTH,
            client=inviter if as_side == Side.CLIENT else None,
            coach=inviter if as_side == Side.COACH else None,
        )
    log.info("coaching invite link=%s by=%s side=%s", link.pk, inviter.pk, as_side)
    transaction.on_commit(lambda: _mail_invitation(link, inviter))
    return link


def accept(link: CoachLink, user: User, *, now: datetime, sharing: str | None = None) -> CoachLink:
    """`user` accepts an invitation addressed to one of their verified addresses.

    A coach accepting a client's invitation becomes a coach (staff in the coaches group): they
    must then enrol a second factor before the coach admin opens.
    """
    with transaction.atomic():
        link = CoachLink.objects.select_for_update().get(pk=link.pk)
        if link.accepted_at or link.ended_at or link.email not in verified_emails(user):
            raise CoachingError(_("This invitation is no longer open."))
        if user.pk in (link.client_id, link.coach_id):
            raise CoachingError(_("You cannot accept your own invitation."))
        if link.invited_by == Side.CLIENT:
            link.coach = user
            make_coach(user)
        else:
            link.client = user
            if sharing in Sharing.values:
                link.sharing = sharing
        link.accepted_at = now
        try:
            with transaction.atomic():
                link.save(update_fields=["coach", "client", "sharing", "accepted_at"])
        except IntegrityError:
            raise CoachingError(_("You are already connected.")) from None
    log.info("coaching accept link=%s by=%s", link.pk, user.pk)
    return link


def end(link: CoachLink, user: User, *, now: datetime) -> None:
    """Either side ends the link (or withdraws or declines an invitation); the other is told."""
    side = link.side_of(user)
    invitee = link.accepted_at is None and link.email in verified_emails(user)
    if side is None and not invitee:
        raise CoachLink.DoesNotExist
    ended = CoachLink.objects.filter(pk=link.pk, ended_at__isnull=True).update(
        ended_at=now,
        ended_by=side or (Side.COACH if link.invited_by == Side.CLIENT else Side.CLIENT),
    )
    if ended and link.accepted_at is not None:
        other = link.other_side(user)
        if other is not None:
            transaction.on_commit(lambda: _mail_ended(other, user))
    log.info("coaching end link=%s by=%s", link.pk, user.pk)


def tell_of_erasure(user: User) -> None:
    """The other side of each of the user's active links hears that it ended, as when it is ended
    by hand: an account erased takes its links with it (after the commit; called before)."""
    links = (
        CoachLink.objects.active().filter(Q(coach=user) | Q(client=user)).select_related("coach", "client")
    )
    for link in links:
        other = link.other_side(user)
        if other is not None:
            transaction.on_commit(partial(_mail_ended, other, user))
    log.info("coaching erased user=%s links=%s", user.pk, len(links))


def set_sharing(link: CoachLink, client: User, sharing: str) -> None:
    if link.client_id != client.pk or sharing not in Sharing.values:
        raise CoachLink.DoesNotExist
    CoachLink.objects.filter(pk=link.pk, ended_at__isnull=True).update(sharing=sharing)
    log.info("coaching sharing link=%s level=%s", link.pk, sharing)


def make_coach(user: User) -> None:
    group, _created = Group.objects.get_or_create(name=COACHES_GROUP)
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def links_for(user: User) -> CoachLinkQuerySet:
    """Every open link and invitation `user` is on either side of, or that is addressed to them."""
    return (
        CoachLink.objects.filter(ended_at__isnull=True)
        .filter(Q(client=user) | Q(coach=user) | Q(accepted_at__isnull=True, email__in=verified_emails(user)))
        .select_related("client", "coach")
    )


def sharing_of(coach: User) -> dict[int, str]:
    """The coach's clients now, by user id, with what each shares."""
    return dict(CoachLink.objects.for_coach(coach).values_list("client_id", "sharing"))


def record(
    coach: User,
    client_ids: Iterable[int],
    what: str,
    *,
    object_id: int | None = None,
    action: str = AccessLog.Action.VIEW,
) -> None:
    """Write one access-log row per client, in one query; nothing personal goes in."""
    rows = [
        AccessLog(coach=coach, client_id=client_id, action=action, what=what, object_id=object_id)
        for client_id in client_ids
    ]
    AccessLog.objects.bulk_create(rows)
    level = logging.WARNING if action == AccessLog.Action.DENIED else logging.INFO
    log.log(
        level,
        "coach access %s coach=%s clients=%s what=%s object=%s",
        action,
        coach.pk,
        len(rows),
        what,
        object_id,
    )


class TooManyRefusals(Exception):
    """A coach was refused more reads of others' data in one window than COACH_REFUSALS_LIMIT."""


def refuse(coach: User, owner_id: int | None, what: str, *, object_id: int | None, now: datetime) -> None:
    """A coach's read of what `owner_id` owns (None: of nothing that exists) was refused.

    It goes into the owner's access log when the owner is or was the coach's client: they know
    the coach, and a read tried after they ended the link is what the log is there to show.
    Anyone else's log would fill with "refused" rows from a coach guessing ids, so those go to
    the security log, by ids only, and count towards the coach's limit; past it, TooManyRefusals
    (the coach site answers 429).
    """
    ever_a_client = CoachLink.objects.filter(coach=coach, client_id=owner_id, accepted_at__isnull=False)
    if owner_id is not None and ever_a_client.exists():
        record(coach, [owner_id], what, object_id=object_id, action=AccessLog.Action.DENIED)
        return
    refusals = _count_refusal(coach, now=now)
    if refusals > settings.COACH_REFUSALS_LIMIT:
        if refusals == settings.COACH_REFUSALS_LIMIT + 1:  # once a window, not once a request
            security.warning("coach refusals limited coach=%s refusals=%s", coach.pk, refusals)
        raise TooManyRefusals
    security.warning("coach refused coach=%s user=%s what=%s object=%s", coach.pk, owner_id, what, object_id)


def _count_refusal(coach: User, *, now: datetime) -> int:
    """This window's refusals of `coach`, this one included, in the shared cache. Windows are
    fixed (at most twice the limit across a boundary), so `now` alone decides which is current."""
    window = int(settings.COACH_REFUSALS_WINDOW.total_seconds())
    key = f"coach-refusals:{coach.pk}:{int(now.timestamp()) // window}"
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between the two calls
        cache.set(key, 1, timeout=window)
        return 1


def mail_user(to: User | str, template: str, context: Mapping[str, object], language: str) -> None:
    """A one-file e-mail (subject on the first line) in `language`."""
    with translation.override(language):
        subject, _newline, body = render_to_string(template, context).partition("\n")
        send_mail(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject.strip(),
            body.strip() + "\n",
            None,
            [to.email if isinstance(to, User) else to],
        )


def _mail_invitation(link: CoachLink, inviter: User) -> None:
    context = {
        "inviter": inviter.display_name,
        "as_coach": link.invited_by == Side.CLIENT,
        "url": settings.SITE_URL + reverse("accounts:coaching"),
    }
    mail_user(link.email, "accounts/email/invitation.txt", context, inviter.language)


def _mail_ended(recipient: User, by: User) -> None:
    context = {"by": by.display_name, "url": settings.SITE_URL + reverse("accounts:coaching")}
    mail_user(recipient, "accounts/email/ended.txt", context, recipient.language)
