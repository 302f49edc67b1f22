"""Duplicates among the owner's contacts: the candidate pairs, each with its evidence.

Certain evidence is a shared e-mail, phone or profile (contacts.evidence); likely evidence the
same folded name (Contact.name_key, indexed with the owner) together with the same company or
organisation (met at, or member of). Namesakes at different companies, or without one, are two
people. Both are found by grouping on the indexed keys, and pairs are made only inside a group of
contacts sharing a key, never by comparing every contact with every other: the page reads a fixed
number of queries at any size (`pairs_page`).

A group of contacts sharing a key gives each of its pairs, lower pk first; a group larger than
CLIQUE (an office's switchboard number, an info@ address) pairs each with its oldest contact only,
so that the pairs grow with the group and not with its square. Pairs the owner kept apart
(contacts.models.DistinctPair) are left out. Archived contacts take part (the page marks them):
an archived duplicate still splits a person's history in two.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from contacts import evidence
from contacts.folding import fold_loose
from contacts.models import Contact, DistinctPair

if TYPE_CHECKING:
    from netzwerk.accounts.models import User

CLIQUE = 8
# Companies and names repeat across a network: each folded once per process, not once per contact.
folded = lru_cache(maxsize=16_384)(fold_loose)
PAIRS_PER_PAGE = 20
COMPANY, ORGANISATION, NAME = "company", "organisation", "name"


@dataclass(frozen=True)
class Evidence:
    """Why two contacts may be one person: `kind` is one of contacts.evidence.KINDS (certain),
    COMPANY or ORGANISATION (the same name and that: likely), or NAME (the same name, a company
    on one side at most: possible); `value` what they share."""

    kind: str
    value: str

    @property
    def certain(self) -> bool:
        return self.kind in evidence.KINDS


@dataclass
class Candidate:
    first: int
    second: int
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def certain(self) -> bool:
        return any(found.certain for found in self.evidence)


@dataclass
class Pair:
    """A candidate as the page shows it: both contacts, loaded."""

    first: Contact
    second: Contact
    evidence: list[Evidence]
    certain: bool

    @property
    def possible(self) -> bool:
        """Only the name in common: as likely two people as one (the import keeps them apart)."""
        return all(found.kind == NAME for found in self.evidence)


def pairs_within(group: list[int]) -> Iterator[tuple[int, int]]:
    """The pairs of a group of contacts sharing a key, lower pk first (see CLIQUE)."""
    members = sorted(set(group))
    if len(members) <= CLIQUE:
        yield from combinations(members, 2)
    else:
        yield from ((members[0], other) for other in members[1:])


def candidates(owner: User) -> list[Candidate]:
    """The owner's candidate pairs not kept apart: certain first, then by the first contact's
    name. Five queries, whatever the size of the network."""
    found: dict[tuple[int, int], Candidate] = {}

    def add(pairs: Iterable[tuple[int, int]], shared: Evidence) -> None:
        for first, second in pairs:
            found.setdefault((first, second), Candidate(first, second)).evidence.append(shared)

    for key in evidence.shared_keys(owner):
        add(pairs_within(key.contacts), Evidence(key.kind, key.key))
    for pair, name_and in _namesakes(owner):
        add([pair], name_and)
    for pair in DistinctPair.objects.for_owner(owner).pairs():
        found.pop(pair, None)
    names = _sort_names(owner, {pk for pair in found for pk in pair})
    return sorted(found.values(), key=lambda c: (not c.certain, names[c.first], names[c.second], c.first))


def _namesakes(owner: User) -> Iterator[tuple[tuple[int, int], Evidence]]:
    """Contacts of one folded name that share the folded company or an organisation, or of whom
    one at most has a company, unless their birthdays differ (as the import's matching,
    imports.folding, tells namesakes apart). The evidence names the company (or the name) as
    the first of the two has it written."""
    contacts = Contact.objects.for_owner(owner)
    shared_names = (
        contacts.exclude(name_key="").values("name_key").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    )
    named = contacts.filter(name_key__in=shared_names.values("name_key"))
    organisations: dict[int, dict[int, str]] = defaultdict(dict)
    groups: dict[str, list[int]] = defaultdict(list)
    companies: dict[int, tuple[str, str]] = {}
    birthdays: dict[int, tuple[int, int] | None] = {}
    names: dict[int, str] = {}
    rows = named.values_list(
        "pk",
        "name_key",
        "company",
        "birthday_day",
        "birthday_month",
        "met_at_id",
        "met_at__name",
        "first_name",
        "last_name",
    )
    for pk, name_key, company, day, month, met_at, met_at_name, first_name, last_name in rows:
        groups[name_key].append(pk)
        names[pk] = " ".join(part for part in (first_name, last_name) if part)
        companies[pk] = (folded(company), company)
        birthdays[pk] = (day, month) if day and month else None
        if met_at is not None:
            organisations[pk][met_at] = met_at_name
    for pk, organisation, name in _memberships(named):
        organisations[pk][organisation] = name
    for group in groups.values():
        for first, second in pairs_within(group):
            if birthdays[first] and birthdays[second] and birthdays[first] != birthdays[second]:
                continue
            found = []
            if companies[first][0] and companies[first][0] == companies[second][0]:
                found.append(Evidence(COMPANY, companies[first][1]))
            shared = organisations[first].keys() & organisations[second].keys()
            found += [Evidence(ORGANISATION, organisations[first][pk]) for pk in sorted(shared)]
            if not found and not (companies[first][0] and companies[second][0]):
                # a company on one side at most: nothing tells them apart (an import keeps two
                # such John Does apart when each has its own address; the user decides here)
                found.append(Evidence(NAME, names[first]))
            yield from (((first, second), evidence) for evidence in found)


def _memberships(named: QuerySet[Contact]) -> QuerySet[Contact, tuple[int, int, str]]:
    members = Contact.organisations.through.objects.filter(contact__in=named.values("pk"))
    return members.values_list("contact_id", "organisation_id", "organisation__name")  # type: ignore[return-value]


def _sort_names(owner: User, pks: set[int]) -> dict[int, tuple[str, str]]:
    rows = Contact.objects.for_owner(owner).filter(pk__in=pks).values_list("pk", "last_name", "first_name")
    return {pk: (folded(last), folded(first)) for pk, last, first in rows} if pks else {}


def pairs_page(owner: User, *, number: str | int | None) -> Page[Pair]:
    """A page of the owner's candidate pairs, their contacts loaded with what the page shows:
    nine queries (four fewer when there is none)."""
    found = Paginator(candidates(owner), PAIRS_PER_PAGE).get_page(number)
    shown: list[Candidate] = list(found.object_list)
    loaded = (
        Contact.objects.for_owner(owner)
        .select_related("met_at")
        .prefetch_related("emails", "phones", "organisations")
        .in_bulk({pk for c in shown for pk in (c.first, c.second)})
    )
    pairs = [
        Pair(loaded[c.first], loaded[c.second], c.evidence, c.certain)
        for c in shown
        if c.first in loaded and c.second in loaded  # one deleted since: the next load drops it
    ]
    return Page(pairs, found.number, found.paginator)  # type: ignore[arg-type]
