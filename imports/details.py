"""What an imported person brings that a contact has no field for (records.DETAIL_KINDS: middle
names, a nickname, a department, an address), worded as lines of the contact's notes in the owner's
language, so nothing a file holds is lost."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

LABELS: dict[str, StrOrPromise] = {
    "middle_name": _("Middle names"),
    "nickname": _("Nickname"),
    "department": _("Department"),
    "address": _("Address"),
    "address_home": _("Address (home)"),
    "address_work": _("Address (work)"),
    "unread_email": _("E-mail address not read"),
}


def lines(details: Iterable[Iterable[str]]) -> list[str]:
    """`Spitzname: Maxl`, one line for each (kind, value); an unknown kind keeps its value."""
    found = []
    for kind, value in details:
        label = LABELS.get(kind)
        found.append(f"{label}: {value}" if label else value)
    return found


def missing(details: Iterable[Iterable[str]], notes: str) -> list[list[str]]:
    """The details the notes do not hold yet, as the value of a line (`…: Maxl`) or a line of
    its own: importing a file again adds nothing, and a nickname "Max" is not taken for held
    because the notes mention "Maximilian"."""
    lines = [" ".join(line.split()).casefold() for line in notes.splitlines()]
    held = {line.partition(": ")[2] for line in lines} | set(lines)
    return [[kind, value] for kind, value in details if " ".join(value.split()).casefold() not in held]
