"""One person per person inside an upload: rows sharing certain evidence (an e-mail, a phone, a
LinkedIn or XING profile), or an uncontradicted folded name, are folded into the first of them.

The index of what has been seen lives in the database (`ImportKey`: each piece of a person's
evidence, pointing at the person's first row), read and written a chunk of rows at a time, so
the worker's memory holds one chunk, whatever the size of the file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from contacts.folding import fold_loose
from contacts.models import normalise_phone
from imports.models import Import, ImportKey, ImportRow, RowStatus

# Profiles that name one person: two different ones are two people.
IDENTIFYING_PROFILES = ("linkedin", "xing")
EVIDENCE = ("email", "phone", "profile")
# Rows read, keys looked up and rows written per query.
CHUNK = 500


@dataclass(slots=True, frozen=True)
class Identity:
    """What tells one person from another: certain evidence, the name, and what would
    contradict a match (profiles, birthday)."""

    evidence: frozenset[tuple[str, str]]
    names: frozenset[str]
    name_key: str
    profiles: tuple[str, str]  # LinkedIn, XING
    birthday: tuple[int, int] | None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Identity:
        profiles = data.get("profiles", {})
        found = {("email", e) for e in data.get("emails", [])}
        found |= {("phone", p) for p in data.get("phones", [])}
        found |= {("profile", profiles[k]) for k in IDENTIFYING_PROFILES if profiles.get(k)}
        name_key = fold_loose(f"{data.get('first_name', '')} {data.get('last_name', '')}")
        birthday = data.get("birthday")
        return cls(
            evidence=frozenset(found),
            names=frozenset(name_key.split()),
            name_key=name_key,
            profiles=(profiles.get("linkedin", ""), profiles.get("xing", "")),
            birthday=(birthday[0], birthday[1]) if birthday else None,
        )

    @classmethod
    def from_keys(cls, keys: Iterable[tuple[str, str]]) -> Identity:
        """A person's identity as the index stores it (see `keys`)."""
        evidence, names, birthday = set(), [], None
        for kind, value in keys:
            if kind in EVIDENCE:
                evidence.add((kind, value))
            elif kind == "name":
                names.append(value)
            elif kind == "birthday" and birthday is None:
                day, month = value.split("-")
                birthday = (int(day), int(month))
        urls = sorted(value for kind, value in evidence if kind == "profile")
        return cls(
            evidence=frozenset(evidence),
            names=frozenset(word for name in names for word in name.split()),
            name_key=min(names, default=""),
            profiles=(
                next((url for url in urls if "linkedin." in url), ""),
                next((url for url in urls if "xing." in url), ""),
            ),
            birthday=birthday,
        )

    def index_keys(self) -> set[tuple[str, str]]:
        found = set(self.evidence)
        if self.name_key:
            found.add(("name", self.name_key))
        if self.birthday:
            found.add(("birthday", f"{self.birthday[0]}-{self.birthday[1]}"))
        return found

    def joined(self, other: Identity) -> Identity:
        """One person's identity from two of its rows: evidence of both, the first's name."""
        return Identity(
            evidence=self.evidence | other.evidence,
            names=self.names,
            name_key=self.name_key,
            profiles=(self.profiles[0] or other.profiles[0], self.profiles[1] or other.profiles[1]),
            birthday=self.birthday or other.birthday,
        )

    def contradicts(self, other: Identity, *, by_name: bool = False) -> bool:
        """Surely two people: names with no word in common (a company's switchboard number or
        info@ address is shared by many), or two different LinkedIn or XING profiles. For a
        match by name alone also two different birthdays (with a shared e-mail, phone or
        profile a different birthday is a typo to settle in the preview, not another person),
        or each with e-mail addresses (or numbers) of its own and none in common: as likely two
        John Does as one, so nothing of one is written into the other (the user can still
        merge the two: imports.merge)."""
        if self.names and other.names and not self.names & other.names:
            return True
        for mine, theirs in zip(self.profiles, other.profiles, strict=True):
            if mine and theirs and mine != theirs:
                return True
        if not by_name:
            return False
        if self.birthday and other.birthday and self.birthday != other.birthday:
            return True
        return any(self._apart(other, kind) for kind in ("email", "phone"))

    def _apart(self, other: Identity, kind: str) -> bool:
        mine = {value for found, value in self.evidence if found == kind}
        theirs = {value for found, value in other.evidence if found == kind}
        return bool(mine and theirs and not mine & theirs)


def normalise(data: dict[str, Any], *, region: str) -> dict[str, Any]:
    """Phones to E.164 (the user's region for numbers without a country code); a number that
    cannot be read is kept as text, never dropped."""
    if not data.get("phones"):
        return data
    phones, invalid = [], list(data.get("invalid_phones", []))
    for raw in data["phones"]:
        try:
            phones.append(normalise_phone(raw, region=region))
        except ValidationError:
            invalid.append(raw)
    cleaned = {**data, "phones": list(dict.fromkeys(phones))}
    if invalid:
        cleaned["invalid_phones"] = invalid
    return cleaned


def fold_upload(upload: Import) -> None:
    """Normalise every row's phones and fold the rows into people, a chunk at a time: a row
    joining a person becomes DUPLICATE, folded into the person's first row; every person's
    evidence is in `ImportKey` afterwards (imports.matching reads it)."""
    ImportKey.objects.filter(upload=upload).delete()
    region = upload.owner.phone_region
    rows = ImportRow.objects.filter(upload=upload).exclude(status=RowStatus.ERROR).order_by("pk")
    for chunk in chunks(rows.values_list("pk", "data").iterator(chunk_size=CHUNK)):
        cleaned = [(pk, normalise(data, region=region), data) for pk, data in chunk]
        _save_data([(pk, clean) for pk, clean, data in cleaned if clean != data])
        _Chunk(upload, [(pk, Identity.of(clean)) for pk, clean, _data in cleaned]).fold()


def chunks[T](items: Iterator[T]) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Chunk:
    """Folds a chunk of rows into the people seen so far (read from the index) and itself."""

    def __init__(self, upload: Import, rows: list[tuple[int, Identity]]) -> None:
        self.upload, self.rows = upload, rows
        self.people: dict[int, Identity] = {}
        self.by_key: dict[tuple[str, str], int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.new_keys: list[ImportKey] = []
        self.folded: dict[int, int] = {}

    def fold(self) -> None:
        self._read_index()
        for row_id, identity in self.rows:
            person = self._person_of(identity)
            if person is None:
                person = row_id
                self.people[person] = identity
            else:
                self.people[person] = self.people[person].joined(identity)
                self.folded[row_id] = person
            for kind, value in identity.index_keys():
                if (kind, value) not in self.by_key or self.by_key[kind, value] != person:
                    self.new_keys.append(
                        ImportKey(upload=self.upload, person_id=person, kind=kind, value=value)
                    )
                self.by_key.setdefault((kind, value), person)
                if kind == "name" and person not in self.by_name[value]:
                    self.by_name[value].append(person)
        ImportKey.objects.bulk_create(self.new_keys, batch_size=CHUNK)
        _save_folded(self.folded)

    def _read_index(self) -> None:
        """The people of earlier chunks who share a key with this one, with all their keys. A
        namesake with another LinkedIn or XING profile than the row's is surely someone else
        (Identity.contradicts) and is not read: in a LinkedIn export, every row with its
        profile, however many people share a name, none of them is read for it."""
        evidence: dict[str, set[str]] = defaultdict(set)
        names: dict[tuple[bool, bool], set[str]] = defaultdict(set)
        for _row_id, identity in self.rows:
            for kind, value in identity.evidence:
                evidence[kind].add(value)
            if identity.name_key:  # a birthday only contradicts, it never finds anyone
                names[bool(identity.profiles[0]), bool(identity.profiles[1])].add(identity.name_key)
        match = Q()
        for kind, values in evidence.items():
            match |= Q(kind=kind, value__in=values)
        for sites, values in names.items():
            match |= Q(kind="name", value__in=values) & ~_with_profile_on(sites)
        if not match:
            return
        found = ImportKey.objects.filter(match, upload=self.upload).values_list("person_id", flat=True)
        people = sorted(set(found))
        keys: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for person, kind, value in ImportKey.objects.filter(person_id__in=people).values_list(
            "person_id", "kind", "value"
        ):
            keys[person].append((kind, value))
        for person in people:
            identity = Identity.from_keys(keys[person])
            self.people[person] = identity
            for key in identity.index_keys():
                self.by_key.setdefault(key, person)
                if key[0] == "name":
                    self.by_name[key[1]].append(person)

    def _person_of(self, identity: Identity) -> int | None:
        for key in sorted(identity.evidence):
            person = self.by_key.get(key)
            if person is not None and not self.people[person].contradicts(identity):
                return person
        # the one person of that name; of several it could be (two Anna Schmidts with their own
        # addresses, then one without), none, as imports.matching has it for existing contacts
        named = [
            person
            for person in dict.fromkeys(self.by_name.get(identity.name_key, []) if identity.name_key else [])
            if not self.people[person].contradicts(identity, by_name=True)
        ]
        return named[0] if len(named) == 1 else None


def _with_profile_on(sites: tuple[bool, bool]) -> Q:
    """People with a profile on a site of `sites` (LinkedIn, XING): another than the row's,
    or they would have been found by it."""
    found = Q()
    for wanted, site in zip(sites, IDENTIFYING_PROFILES, strict=True):
        if wanted:
            found |= Q(
                Exists(
                    ImportKey.objects.filter(
                        person_id=OuterRef("person_id"), kind="profile", value__contains=f"{site}."
                    )
                )
            )
    return found


def _save_data(batch: list[tuple[int, dict[str, Any]]]) -> None:
    rows = ImportRow.objects.in_bulk([pk for pk, _data in batch])
    for pk, data in batch:
        rows[pk].data = data
    upsert(list(rows.values()), ["data"])


def _save_folded(folded: dict[int, int]) -> None:
    rows = ImportRow.objects.in_bulk(list(folded))
    for pk, row in rows.items():
        row.status, row.folded_into_id = RowStatus.DUPLICATE, folded[pk]
    upsert(list(rows.values()), ["status", "folded_into"])


def upsert(rows: list[ImportRow], fields: list[str]) -> None:
    """Rows written back by primary key in one INSERT … ON CONFLICT per chunk (bulk_update's
    CASE per field and row costs seconds at ten thousand rows)."""
    if rows:
        ImportRow.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["id"], update_fields=fields, batch_size=CHUNK
        )
