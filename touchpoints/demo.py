"""Demo touchpoints: a year and a half of touches for each seeded network, so every rule shows.

`plan_touches` is pure: from a seeded `random.Random`, the contacts (as `ContactFacts`, in the
order they were created), the owner's rule settings, time zone and `now`, it plans each
contact's touches and the contact fields that go with them (`created_at`, `prospect_since`,
`prospect_outcome_at`). What the plan makes visible:

- R7 cadence: per circle, most contacts green, some yellow, some red (strong ties and regular
  contacts overdue), measured against the owner's ideal and maximum intervals;
- R6 prospects at several counts towards the target (0, 2, 3, 4, 6, 7 and more), some whose
  next touch is overdue; customers and "not now" decided after their touches;
- R1 online-only contacts (met online, only digital touches or none) inside and past the
  window, and a few online contacts who have just been met in person (the milestone);
- R4 gives and asks, and a few contacts asked without ever having been given to;
- R3 promises: many kept, some open and not yet due, some overdue;
- R5 a gut feeling on most first personal meetings; R12 a mix of personal and digital kinds,
  strong ties touched most often, likes and mass mails that do not count.

`seed_touchpoints` writes the plans with `netzwerk.bulk_copy` (COPY on PostgreSQL): each contact's
summary (`summary.summarise`) and R1 milestone (`ledger.milestone`) computed from its planned
touches in the same pass, the contacts updated by one set-based UPDATE, the same as logging each
touch with `ledger.log_touch` gives. Touches never lie in the future.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from contacts.choices import ONLINE_CHANNELS, Channel, Circle, ProspectStatus, Stage
from contacts.models import Contact, StageChange
from netzwerk import bulk_copy
from netzwerk.accounts.models import User
from touchpoints import ledger
from touchpoints.demo_data import (
    ASK_LABELS,
    BIRTHDAY_GIFT_LABELS,
    BIRTHDAY_NOTES,
    FIRST_NOTES,
    GIFT_LABELS,
    GIVE_LABELS,
    GUT_FEELINGS,
    NEWSLETTERS,
    NOTES,
    PROMISES,
)
from touchpoints.kinds import KINDS, Kind
from touchpoints.models import Exchange, Initiator, Touchpoint
from touchpoints.summary import SUMMARY_FIELDS, summarise

DEFAULT_TOUCHES_PER_CONTACT = 8
HISTORY_DAYS = 540  # about eighteen months
FLUSH_EVERY = 50_000  # touchpoints held in memory before they are written

# Touches a contact gets beyond what its story needs: strong ties most (R7: few people, often).
CIRCLE_WEIGHT: dict[str, float] = {Circle.STRONG: 3.0, Circle.REGULAR: 1.3, Circle.LOOSE: 0.5}
ARCHIVED_WEIGHT = 0.4
# Days since the first touch, at least: strong ties and regular contacts are known for long.
FIRST_TOUCH_AT_LEAST: dict[str, float] = {Circle.STRONG: 360.0, Circle.REGULAR: 150.0}
PERSONAL_SHARE: dict[str, float] = {Circle.STRONG: 0.55, Circle.REGULAR: 0.45, Circle.LOOSE: 0.3}
THEIR_SHARE: dict[str, float] = {Circle.STRONG: 0.45, Circle.REGULAR: 0.35, Circle.LOOSE: 0.25}
BIRTHDAY_SHARE: dict[str, float] = {Circle.STRONG: 0.9, Circle.REGULAR: 0.5, Circle.LOOSE: 0.1}
# (yellow, red) shares of each circle's contacts; the rest are green
CADENCE_SHARES: dict[str, tuple[float, float]] = {
    Circle.STRONG: (0.2, 0.15),
    Circle.REGULAR: (0.18, 0.2),
    Circle.LOOSE: (0.22, 0.08),
}
NOT_COUNTING_SHARE = 0.1  # of the touches in between: likes and mass mails
GIVE_SHARE, ASK_SHARE, PROMISE_SHARE = 0.09, 0.03, 0.08
TAKER_SHARE = 0.04  # contacts asked for a favour without ever having been given to
ONLINE_MET_SHARE = 0.15  # online contacts met in person lately: the R1 milestone
ONLINE_INSIDE_SHARE = 0.3  # online-only contacts still inside the window

GREEN, YELLOW, RED = "green", "yellow", "red"

# Story roles of a planned touch, before its kind is chosen.
FIRST_PERSONAL = "first_personal"  # the first meeting (R5: gut feeling)
FIRST_DIGITAL = "first_digital"  # the first contact online
TOUCH = "touch"  # counts (R6, R7)
MIDDLE = "middle"  # counts, or now and then a like or a mass mail
EXTRA = "extra"  # a like or a mass mail: never counts
PROSPECT = "prospect"  # counts towards the prospect target
BIRTHDAY = "birthday"  # a call, a card or a gift on the birthday (R8)

# Hours (local) at which each kind happens.
HOURS: dict[str, tuple[int, int]] = {
    Kind.CALL: (8, 19),
    Kind.VIDEO_CALL: (9, 17),
    Kind.MEETING: (8, 19),
    Kind.EVENT: (17, 21),
    Kind.CARD: (9, 17),
    Kind.LETTER: (9, 17),
    Kind.GIFT: (9, 17),
    Kind.BIRTHDAY_GIFT: (9, 17),
    Kind.EMAIL: (7, 21),
    Kind.MESSAGE: (7, 22),
    Kind.SOCIAL: (7, 22),
    Kind.REACTION: (7, 22),
    Kind.MASS_MAIL: (10, 10),
}
MET_AT_EVENTS = frozenset({Channel.EVENT, Channel.TRADE_FAIR, Channel.CLUB})
GIFT_KINDS = frozenset({Kind.GIFT, Kind.BIRTHDAY_GIFT})


def rng_for(email: str) -> random.Random:
    """The same e-mail always gets the same touches (string seeds are not hash-randomised)."""
    return random.Random(f"netzwerk-demo-touches:{email.lower()}")


@dataclass(frozen=True, slots=True)
class Mix:
    """Kinds with weights, drawn with one random number."""

    kinds: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weights: dict[str, float]) -> Mix:
        return cls(tuple(weights), tuple(itertools.accumulate(weights.values())))

    def pick(self, rng: random.Random) -> str:
        return self.kinds[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


PERSONAL_MIX = Mix.of(
    {
        Kind.CALL: 34,
        Kind.MEETING: 24,
        Kind.VIDEO_CALL: 14,
        Kind.EVENT: 12,
        Kind.CARD: 6,
        Kind.GIFT: 4,
        Kind.LETTER: 3,
    }
)
DIGITAL_MIX = Mix.of({Kind.EMAIL: 40, Kind.MESSAGE: 35, Kind.SOCIAL: 25})
PROSPECT_PERSONAL_MIX = Mix.of({Kind.CALL: 45, Kind.MEETING: 25, Kind.VIDEO_CALL: 25, Kind.EVENT: 5})
PROSPECT_DIGITAL_MIX = Mix.of({Kind.EMAIL: 60, Kind.MESSAGE: 40})
BIRTHDAY_MIX = Mix.of({Kind.BIRTHDAY_GIFT: 40, Kind.CALL: 40, Kind.CARD: 20})


@dataclass(frozen=True, slots=True)
class DemoRules:
    """The owner's rule settings the plan measures against."""

    cadences: dict[str, tuple[int, int]]  # circle -> (ideal, maximum) days
    online_window_days: int = 14
    prospect_target: int = 7
    prospect_interval_days: int = 10

    @classmethod
    def of(cls, user: User) -> DemoRules:
        return cls(
            cadences={circle: user.cadence(circle) for circle in Circle.values},
            online_window_days=user.online_window_days,
            prospect_target=user.prospect_target,
            prospect_interval_days=user.prospect_interval_days,
        )


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """What the plan needs to know about a seeded contact."""

    pk: int
    circle: str
    stage: str
    prospect_status: str = ProspectStatus.NONE
    how_met: str = ""
    archived_at: datetime | None = None
    birthday_day: int | None = None
    birthday_month: int | None = None

    @property
    def met_online(self) -> bool:
        return self.how_met in ONLINE_CHANNELS


@dataclass(slots=True)
class PlannedTouch:
    """A planned touchpoint: the fields the seed writes, without a model instance (a million of
    those took half the planning time). `summarise` reads it as it reads a Touchpoint."""

    contact_id: int
    kind: str
    happened_at: datetime
    note: str = ""
    initiated_by: str = Initiator.ME
    exchange: str = ""
    exchange_label: str = ""
    promise: str = ""
    promise_due: date | None = None
    promise_kept_at: datetime | None = None
    gut_feeling: str = ""

    @property
    def has_open_promise(self) -> bool:
        return bool(self.promise) and self.promise_kept_at is None

    @property
    def has_kept_promise(self) -> bool:
        return bool(self.promise) and self.promise_kept_at is not None


# Touchpoint's fields the seed fills from a PlannedTouch (the others: its timestamps).
PLANNED_FIELDS = list(PlannedTouch.__dataclass_fields__)


@dataclass(slots=True)
class ContactTouches:
    """A contact's planned touches and the fields written with them."""

    contact_id: int
    touches: list[PlannedTouch]
    created_at: datetime
    prospect_since: datetime | None = None
    prospect_outcome_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Context:
    rng: random.Random
    rules: DemoRules
    zone: ZoneInfo
    now: datetime
    today: date


@dataclass(slots=True)
class Profile:
    """A contact's story: which rule its touches show, how many it needs, and the dates."""

    facts: ContactFacts
    story: str  # "normal", "decided", "prospect", "online" or "archived"
    need: int = 1  # touches the story needs
    weight: float = 0.0  # share of the touches beyond every story's needs
    count: int = 0  # touches given
    meets: bool = True  # has a personal touch (or gets one: the R1 milestone)
    last_age: float = 0.0  # days since the last touch that counts
    first_age: float = 0.0  # days since the first touch
    prospect_touches: int = 0
    overdue: bool = False  # a prospect's next touch is overdue
    decided_touches: int = 0  # a customer's or "not now"'s touches before the decision
    extras: int = 0  # likes and mass mails on a prospect
    taker: bool = False  # asked without having been given to (R4)


@dataclass(slots=True)
class Slot:
    age: float  # days ago
    role: str
    prospect_phase: bool = False  # a customer's or "not now"'s touch before the decision


# ---------------------------------------------------------------- the plan


def plan_touches(
    rng: random.Random,
    contacts: Sequence[ContactFacts],
    *,
    total: int,
    rules: DemoRules,
    zone: ZoneInfo,
    now: datetime,
) -> list[ContactTouches]:
    """`total` touches over `contacts` (exactly, when there are contacts), oldest 18 months ago."""
    context = Context(rng=rng, rules=rules, zone=zone, now=now, today=now.astimezone(zone).date())
    profiles = _profiles(context, contacts)
    _allocate(profiles, total=total)
    _choose_takers(rng, profiles)
    planned = [_plan_contact(context, profile) for profile in profiles]
    _promise_something_of_each_kind(context, planned)
    return planned


def _profiles(context: Context, contacts: Sequence[ContactFacts]) -> list[Profile]:
    rng, rules = context.rng, context.rules
    profiles: list[Profile] = []
    prospects: list[Profile] = []
    online: list[Profile] = []
    paced: dict[str, list[Profile]] = {circle: [] for circle in Circle.values}
    for facts in contacts:
        weight = CIRCLE_WEIGHT[facts.circle] * rng.uniform(0.6, 1.4)
        if facts.archived_at is not None:
            profile = Profile(facts, "archived", weight=ARCHIVED_WEIGHT, meets=facts.stage != Stage.ONLINE)
            archived_age = (context.now - facts.archived_at) / timedelta(days=1)
            profile.last_age = min(archived_age + rng.uniform(30, 200), HISTORY_DAYS - 20)
        elif facts.prospect_status == ProspectStatus.PROSPECT:
            profile = Profile(facts, "prospect", meets=facts.stage != Stage.ONLINE or rng.random() < 0.5)
            prospects.append(profile)
        elif facts.prospect_status in (ProspectStatus.CUSTOMER, ProspectStatus.NOT_NOW):
            touches = rng.randint(*((7, 9) if facts.prospect_status == ProspectStatus.CUSTOMER else (4, 6)))
            profile = Profile(facts, "decided", need=touches + 1, weight=weight, decided_touches=touches)
            paced[facts.circle].append(profile)
        elif facts.stage == Stage.ONLINE:
            profile = Profile(facts, "online", need=rng.choice((0, 1, 1, 2, 2, 3)), meets=False)
            online.append(profile)
        else:
            profile = Profile(facts, "normal", need=2 if facts.met_online else 1, weight=weight)
            paced[facts.circle].append(profile)
        profiles.append(profile)

    # R1: a few online contacts have just been met in person; the rest are online-only, some
    # still inside the window, most past it (the backlog).
    rng.shuffle(online)
    met = _share(len(online), ONLINE_MET_SHARE, least_from=4)
    for profile in online[:met]:
        profile.story, profile.meets, profile.need = "normal", True, 2
        profile.weight = CIRCLE_WEIGHT[profile.facts.circle] * rng.uniform(0.6, 1.4)
        paced[profile.facts.circle].append(profile)
    online_only = online[met:]
    inside = _share(len(online_only), ONLINE_INSIDE_SHARE, least_from=2)
    window = rules.online_window_days
    for number, profile in enumerate(online_only):
        if number < inside:
            profile.first_age = rng.uniform(max(0.5, window * 0.15), max(1.0, window - 5))
        else:
            far = rng.random() < 0.2
            profile.first_age = rng.uniform(window + 4, window + (400 if far else 140))
        profile.first_age = min(profile.first_age, HISTORY_DAYS)

    # R7: per circle, some yellow, some red, most green
    for circle, group in paced.items():
        rng.shuffle(group)
        yellow_share, red_share = CADENCE_SHARES[circle]
        red = _share(len(group), red_share, least_from=4)
        yellow = _share(len(group), yellow_share, least_from=4)
        for number, profile in enumerate(group):
            status = RED if number < red else YELLOW if number < red + yellow else GREEN
            profile.last_age = _last_age(rng, rules.cadences[circle], status)
            if profile.story == "decided":
                profile.last_age = min(profile.last_age, 250)  # room for the prospect phase before

    # R6: prospects at every count towards the target, some whose next touch is overdue
    rng.shuffle(prospects)
    target = rules.prospect_target
    plan = (
        (0, False), (2, True), (3, False), (4, True), (target - 1, False), (target, False),
        (target + 2, False), (1, True), (5, False), (3, True), (2, False), (0, True),
    )  # fmt: skip
    for number, profile in enumerate(prospects):
        count, overdue = plan[number % len(plan)]
        profile.prospect_touches, profile.overdue = max(count, 0), overdue
        profile.extras = 1 if rng.random() < 0.3 else 0
        # touches before becoming a prospect: one at least for those met in person already
        before = rng.randint(0 if profile.facts.stage == Stage.ONLINE else 1, 2)
        profile.need = profile.prospect_touches + before + profile.extras
    return profiles


def _share(size: int, fraction: float, *, least_from: int) -> int:
    """`fraction` of `size`, at least one once there are `least_from`."""
    count = round(size * fraction)
    return max(count, 1) if size >= least_from else count


def _last_age(rng: random.Random, cadence: tuple[int, int], status: str) -> float:
    """Days since the last touch that counts, two days clear of the thresholds (time of day)."""
    ideal, maximum = cadence
    if status == GREEN:
        return rng.uniform(0.2, max(0.3, ideal - 2))
    if status == YELLOW:
        low, high = ideal + 2, maximum - 2
        return rng.uniform(low, high) if low < high else (ideal + maximum) / 2
    return rng.uniform(maximum + 3, max(maximum + 4, min(maximum * 5, HISTORY_DAYS - 20)))


def _allocate(profiles: list[Profile], *, total: int) -> None:
    """Every story gets its needs when `total` allows, the rest goes by weight; exactly `total`."""
    needs = [profile.need for profile in profiles]
    if total <= sum(needs):
        counts = _apportion(total, [float(need) for need in needs])
    else:
        weights = [profile.weight for profile in profiles]
        if not any(weights):
            weights = [1.0] * len(profiles)
        counts = [
            need + more for need, more in zip(needs, _apportion(total - sum(needs), weights), strict=True)
        ]
    for profile, count in zip(profiles, counts, strict=True):
        profile.count = count


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Largest remainder: whole numbers in proportion to `weights` that add up to `total`."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * weight / whole for weight in weights]
    counts = [int(share) for share in exact]
    by_remainder = sorted(range(len(weights)), key=lambda index: (counts[index] - exact[index], index))
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _choose_takers(rng: random.Random, profiles: list[Profile]) -> None:
    candidates = [profile for profile in profiles if profile.story == "normal" and profile.count >= 2]
    takers = _share(len(profiles), TAKER_SHARE, least_from=10)
    for profile in rng.sample(candidates, min(takers, len(candidates))):
        profile.taker = True


# ---------------------------------------------------------------- one contact's story


def _plan_contact(context: Context, profile: Profile) -> ContactTouches:
    rng, now = context.rng, context.now
    since_age: float | None = None
    if profile.story == "prospect":
        slots, since_age = _prospect_slots(context, profile)
    elif profile.story == "decided":
        slots, since_age = _decided_slots(context, profile)
    elif profile.story == "online":
        slots = _online_slots(rng, profile)
    else:
        slots = _normal_slots(rng, profile)
    slots.sort(key=lambda slot: -slot.age)
    first_personal_age = _first_roles(slots, profile)
    if profile.story in ("normal", "decided", "archived") and first_personal_age is not None:
        _birthdays(context, profile, slots, after=first_personal_age)

    planned = [
        (slot, _touch(context, profile, slot, first_personal_age=first_personal_age)) for slot in slots
    ]
    touches = sorted((touch for _, touch in planned), key=lambda touch: touch.happened_at)
    _gut_feeling(rng, touches)
    _exchanges(rng, touches, taker=profile.taker)
    _promises(context, touches)

    prospect_since = _minute(now - timedelta(days=since_age)) if since_age is not None else None
    outcome_at = None
    if profile.story == "decided":
        # R6: decided a little after the last touch as a prospect
        phase = [touch.happened_at for slot, touch in planned if slot.prospect_phase]
        reference = max(phase, default=now - timedelta(days=profile.last_age))
        outcome_at = min(_minute(reference + timedelta(hours=rng.uniform(2, 72))), _minute(now))
    moments = [touch.happened_at for touch in touches]
    if prospect_since is not None:
        moments.append(prospect_since)
    earliest = min(moments, default=None)
    if earliest is None:
        created_at = _minute(now - timedelta(days=max(profile.first_age, profile.last_age, 0.05)))
    else:
        created_at = earliest - timedelta(minutes=rng.randint(5, 360))
    return ContactTouches(
        contact_id=profile.facts.pk,
        touches=touches,
        created_at=created_at,
        prospect_since=prospect_since,
        prospect_outcome_at=outcome_at,
    )


def _spread(rng: random.Random, count: int, low: float, high: float) -> list[float]:
    return [rng.uniform(low, high) for _ in range(max(count, 0))]


def _normal_slots(rng: random.Random, profile: Profile) -> list[Slot]:
    """From the first touch (up to 18 months ago) to the last one that counts (the cadence)."""
    count, last = profile.count, profile.last_age
    if count == 0:
        profile.first_age = last
        return []
    if count == 1:
        profile.first_age = last
        return [Slot(last, TOUCH)]
    earliest = FIRST_TOUCH_AT_LEAST.get(profile.facts.circle, last + 10)
    first = rng.uniform(min(max(earliest, last + 20), HISTORY_DAYS), HISTORY_DAYS)
    first = max(first, last + 1)
    profile.first_age = first
    middle = [Slot(age, MIDDLE) for age in _spread(rng, count - 2, last + 0.5, first - 0.5)]
    return [Slot(first, TOUCH), *middle, Slot(last, TOUCH)]


def _online_slots(rng: random.Random, profile: Profile) -> list[Slot]:
    """Online-only (R1): digital touches since the first contact, or none at all."""
    first = profile.first_age
    if profile.count == 0:
        return []
    later = [Slot(age, MIDDLE) for age in _spread(rng, profile.count - 1, 0.1, max(first - 0.5, 0.1))]
    profile.last_age = min([first, *(slot.age for slot in later)])
    return [Slot(first, TOUCH), *later]


def _prospect_slots(context: Context, profile: Profile) -> tuple[list[Slot], float]:
    """R6: `prospect_touches` touches since becoming a prospect, one every few days; the next one
    overdue or not; earlier touches before that, and now and then a like that does not count."""
    rng, interval = context.rng, context.rules.prospect_interval_days
    counted = min(profile.prospect_touches, profile.count)
    extras = min(profile.extras, profile.count - counted)
    before = profile.count - counted - extras
    if profile.overdue:
        gap = rng.uniform(interval + 2, interval + 16)
    else:
        gap = rng.uniform(min(1.0, interval / 4), max(interval - 2, 0.5))
    ages: list[float] = []
    age = gap
    for _ in range(counted):
        ages.append(age)
        age += rng.uniform(max(interval * 0.6, 1.5), max(interval * 1.2, 2.0))
    since = (ages[-1] + rng.uniform(1.5, 4)) if ages else gap
    slots = [Slot(age, PROSPECT) for age in ages]
    slots += [Slot(age, EXTRA) for age in _spread(rng, extras, 0.1, max(since - 1.5, 0.1))]
    slots += [Slot(age, TOUCH) for age in _spread(rng, before, since + 3, min(HISTORY_DAYS, since + 250))]
    profile.last_age = min((slot.age for slot in slots), default=since)
    profile.first_age = max((slot.age for slot in slots), default=since)
    return slots, since


def _decided_slots(context: Context, profile: Profile) -> tuple[list[Slot], float]:
    """A customer or "not now": touches before, the prospect phase, the decision, touches since."""
    rng = context.rng
    counted = min(profile.decided_touches, profile.count)
    rest = profile.count - counted
    before = min(rest, rng.randint(1, 2))
    after = rest - before
    last = profile.last_age
    slots: list[Slot] = []
    if after:
        decided_age = last + rng.uniform(15, 120)
        slots += [Slot(last, TOUCH)]
        slots += [Slot(age, MIDDLE) for age in _spread(rng, after - 1, last + 0.5, decided_age - 3)]
        age = decided_age + rng.uniform(1.5, 5)
    else:
        age = last
    for _ in range(counted):
        slots.append(Slot(age, PROSPECT, prospect_phase=True))
        age += rng.uniform(7, 14)
    since = (slots[-1].age if counted else age) + rng.uniform(1.5, 4)
    slots += [Slot(age, TOUCH) for age in _spread(rng, before, since + 3, min(HISTORY_DAYS, since + 200))]
    profile.first_age = max((slot.age for slot in slots), default=since)
    return slots, since


def _first_roles(slots: list[Slot], profile: Profile) -> float | None:
    """The first contact: in person, or online first and in person next (if ever). Returns the
    age of the first personal touch; personal kinds only come from then on."""
    counting = [slot for slot in slots if slot.role != EXTRA]
    if not counting:
        return None
    if not profile.meets:
        counting[0].role = FIRST_DIGITAL
        return None
    if profile.facts.met_online and len(counting) >= 2:
        counting[0].role = FIRST_DIGITAL
        counting[1].role = FIRST_PERSONAL
        return counting[1].age
    counting[0].role = FIRST_PERSONAL
    return counting[0].age


def _birthdays(context: Context, profile: Profile, slots: list[Slot], *, after: float) -> None:
    """R8: a call, a card or a gift on the birthday, in place of the nearest touch in between."""
    facts, rng, today = profile.facts, context.rng, context.today
    if facts.birthday_day is None or facts.birthday_month is None:
        return
    if rng.random() >= BIRTHDAY_SHARE[facts.circle]:
        return
    for year in (today.year, today.year - 1, today.year - 2):
        day = facts.birthday_day
        if (facts.birthday_month, day) == (2, 29) and not _is_leap(year):
            day = 28
        age = (today - date(year, facts.birthday_month, day)).days
        if not profile.last_age + 2 <= age < after:  # never after the last touch: the cadence holds
            continue
        candidates = [slot for slot in slots if slot.role == MIDDLE and abs(slot.age - age) < 45]
        if candidates:
            nearest = min(candidates, key=lambda slot: abs(slot.age - age))
            nearest.age, nearest.role = float(age), BIRTHDAY


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _kind(context: Context, profile: Profile, slot: Slot, *, personal: bool) -> str:
    rng, facts = context.rng, profile.facts
    role = slot.role
    if role == FIRST_PERSONAL:
        if facts.how_met in MET_AT_EVENTS and rng.random() < 0.7:
            return Kind.EVENT
        return Kind.MEETING if rng.random() < 0.75 else rng.choice((Kind.CALL, Kind.VIDEO_CALL))
    if role == FIRST_DIGITAL:
        if facts.how_met in (Channel.EMAIL, Channel.REFERRAL):
            return Kind.EMAIL
        return Kind.MESSAGE if rng.random() < 0.8 else Kind.SOCIAL
    if role == BIRTHDAY:
        return BIRTHDAY_MIX.pick(rng)
    if role == EXTRA or (role == MIDDLE and rng.random() < NOT_COUNTING_SHARE):
        return Kind.MASS_MAIL if rng.random() < 0.3 else Kind.REACTION
    if role == PROSPECT:
        if personal and rng.random() < 0.5:
            return PROSPECT_PERSONAL_MIX.pick(rng)
        return PROSPECT_DIGITAL_MIX.pick(rng)
    if personal and rng.random() < PERSONAL_SHARE[facts.circle]:
        return PERSONAL_MIX.pick(rng)
    return DIGITAL_MIX.pick(rng)


def _touch(
    context: Context, profile: Profile, slot: Slot, *, first_personal_age: float | None
) -> PlannedTouch:
    rng = context.rng
    personal = first_personal_age is not None and slot.age < first_personal_age
    kind = _kind(context, profile, slot, personal=personal)
    age = slot.age
    note = ""
    if kind == Kind.MASS_MAIL:
        newsletters = [item for item in NEWSLETTERS if item[0] < profile.first_age]
        if newsletters:
            age, note = min(newsletters, key=lambda item: abs(item[0] - slot.age))
        else:
            kind = Kind.REACTION
    if not note:
        if slot.role == BIRTHDAY:
            note = rng.choice(BIRTHDAY_NOTES[kind])
        elif slot.role == FIRST_DIGITAL:
            note = rng.choice(FIRST_NOTES.get(kind, NOTES[kind]))
        elif rng.random() < (0.5 if kind == Kind.REACTION else 0.75):
            note = rng.choice(NOTES[kind])
    if kind == Kind.MASS_MAIL or slot.role == BIRTHDAY:
        initiator = Initiator.ME
    elif slot.role == PROSPECT:
        initiator = Initiator.THEM if rng.random() < 0.15 else Initiator.ME
    else:
        initiator = Initiator.THEM if rng.random() < THEIR_SHARE[profile.facts.circle] else Initiator.ME
    return PlannedTouch(
        contact_id=profile.facts.pk,
        kind=kind,
        happened_at=_moment(context, age, kind),
        note=note,
        initiated_by=initiator,
    )


def _moment(context: Context, age: float, kind: str) -> datetime:
    """A local time of day that suits `kind`, on the day `age` days ago; never in the future."""
    rng, now = context.rng, context.now
    day = context.today - timedelta(days=int(age))
    first, last = HOURS[kind]
    hour, minute = rng.randint(first, last), rng.randrange(0, 60, 5)
    if kind == Kind.MASS_MAIL:
        minute = 0
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=context.zone)
    if moment >= now:
        moment = _minute(now - timedelta(minutes=rng.randint(10, 120)))
    return moment.astimezone(UTC)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _gut_feeling(rng: random.Random, touches: list[PlannedTouch]) -> None:
    """R5: a short gut feeling after most first personal meetings."""
    first = next((touch for touch in touches if KINDS[touch.kind].personal), None)
    if first is not None and first.kind not in GIFT_KINDS and rng.random() < 0.8:
        first.gut_feeling = rng.choice(GUT_FEELINGS)


def _exchanges(rng: random.Random, touches: list[PlannedTouch], *, taker: bool) -> None:
    """R4: mostly give first, then ask; a taker is asked once and never given to."""
    counting = [touch for touch in touches if KINDS[touch.kind].qualifies]
    if taker:
        for touch in counting:
            if touch.kind in GIFT_KINDS:
                touch.kind = Kind.CARD
                touch.note = rng.choice(NOTES[Kind.CARD])
        if counting:
            asked = rng.choice(counting)
            asked.exchange, asked.exchange_label = Exchange.ASK, rng.choice(ASK_LABELS)
        return
    given = False
    for touch in counting:
        draw = rng.random()
        if touch.kind in GIFT_KINDS:
            if draw < 0.7:
                labels = BIRTHDAY_GIFT_LABELS if touch.kind == Kind.BIRTHDAY_GIFT else GIFT_LABELS
                touch.exchange, touch.exchange_label = Exchange.GIVE, rng.choice(labels)
                given = True
        elif draw < GIVE_SHARE or (draw < GIVE_SHARE + ASK_SHARE and not given):
            touch.exchange, touch.exchange_label = Exchange.GIVE, rng.choice(GIVE_LABELS)
            given = True
        elif draw < GIVE_SHARE + ASK_SHARE:
            touch.exchange, touch.exchange_label = Exchange.ASK, rng.choice(ASK_LABELS)


def _promises(context: Context, touches: list[PlannedTouch]) -> None:
    """R3: promises made in conversation; most kept, some open, some overdue."""
    rng = context.rng
    for touch in touches:
        if not KINDS[touch.kind].qualifies or rng.random() >= PROMISE_SHARE:
            continue
        made_on = touch.happened_at.astimezone(context.zone).date()
        due = made_on + timedelta(days=rng.randint(2, 21))
        kept = rng.random() < (0.85 if due < context.today else 0.3)
        _promise(context, touch, due=due, kept=kept)


def _promise(context: Context, touch: PlannedTouch, *, due: date, kept: bool) -> None:
    rng, now = context.rng, context.now
    touch.promise, touch.promise_due, touch.promise_kept_at = rng.choice(PROMISES), due, None
    if kept:
        days = max((due - touch.happened_at.astimezone(context.zone).date()).days + 3, 1)
        kept_at = _minute(touch.happened_at + timedelta(hours=rng.uniform(2, 24 * days)))
        latest = _minute(now - timedelta(minutes=10))
        if kept_at > latest:
            kept_at = latest
        if kept_at > touch.happened_at:
            touch.promise_kept_at = kept_at


def _promise_something_of_each_kind(context: Context, planned: list[ContactTouches]) -> None:
    """At least one open promise not yet due and one overdue, when the touches allow it."""
    today, now = context.today, context.now
    promised = [touch for item in planned for touch in item.touches if touch.promise]
    open_ones = [touch for touch in promised if touch.promise_kept_at is None and touch.promise_due]
    candidates = [
        touch
        for item in planned
        for touch in item.touches
        if KINDS[touch.kind].qualifies and not touch.promise
    ]
    if not any(touch.promise_due >= today for touch in open_ones if touch.promise_due):
        recent = [touch for touch in candidates if touch.happened_at >= now - timedelta(days=10)]
        if recent:
            touch = max(recent, key=lambda touch: touch.happened_at)
            _promise(context, touch, due=today + timedelta(days=context.rng.randint(3, 10)), kept=False)
    if not any(touch.promise_due < today for touch in open_ones if touch.promise_due):
        older = [
            touch
            for touch in candidates
            if now - timedelta(days=200) <= touch.happened_at <= now - timedelta(days=30)
        ]
        if older:
            touch = context.rng.choice(older)
            made_on = touch.happened_at.astimezone(context.zone).date()
            _promise(context, touch, due=made_on + timedelta(days=7), kept=False)


# ---------------------------------------------------------------- writing plans


@dataclass(frozen=True, slots=True)
class TouchSeedResult:
    users: int
    contacts: int
    touchpoints: int
    milestones: int  # online contacts whose first personal touch moved them to "met" (R1)


def contact_facts(users: Sequence[User]) -> dict[int, list[ContactFacts]]:
    """Each user's contacts in the order they were created."""
    rows = (
        Contact.objects.filter(owner__in=list(users))
        .order_by("owner_id", "pk")
        .values_list(
            "owner_id",
            "pk",
            "circle",
            "stage",
            "prospect_status",
            "how_met",
            "archived_at",
            "birthday_day",
            "birthday_month",
        )
    )
    facts: dict[int, list[ContactFacts]] = {}
    for owner_id, pk, circle, stage, status, how_met, archived_at, day, month in rows:
        facts.setdefault(owner_id, []).append(
            ContactFacts(pk, circle, stage, status, how_met, archived_at, day, month)
        )
    return facts


def seed_touchpoints(users: Sequence[User], *, per_user: int | None, now: datetime) -> TouchSeedResult:
    """Touches for `users`' contacts: `per_user` each, or DEFAULT_TOUCHES_PER_CONTACT a contact.

    Meant for networks just seeded, inside the caller's transaction: every contact of these users
    gets its summary and stage as `ledger.log_touch` leaves them (the empty summary when it has
    no touches), the milestones' stage changes included.
    """
    facts = contact_facts(users)
    pending: list[PlannedTouch] = []
    contacts: list[tuple[object, ...]] = []
    milestones: list[StageChange] = []
    written = 0
    for user in users:
        user_facts = facts.get(user.pk, [])
        stages = {item.pk: item.stage for item in user_facts}
        total = DEFAULT_TOUCHES_PER_CONTACT * len(user_facts) if per_user is None else per_user
        plan = plan_touches(
            rng_for(user.email), user_facts, total=total, rules=DemoRules.of(user), zone=user.zone, now=now
        )
        for item in plan:
            pending.extend(item.touches)
            summary = summarise(item.touches, prospect_since=item.prospect_since)
            change = ledger.milestone(item.contact_id, stages[item.contact_id], summary)
            if change is not None:
                milestones.append(change)
            stage = stages[item.contact_id] if change is None else change.to_stage
            contacts.append(
                (
                    item.contact_id,
                    item.created_at,
                    item.prospect_since,
                    item.prospect_outcome_at,
                    stage,
                    now,
                    *(getattr(summary, name) for name in SUMMARY_FIELDS),
                )
            )
        if len(pending) >= FLUSH_EVERY:
            written += _write(pending)
    written += _write(pending)
    fields = ["created_at", "prospect_since", "prospect_outcome_at", "stage", "updated_at", *SUMMARY_FIELDS]
    bulk_copy.update(Contact, fields, contacts)
    bulk_copy.create(StageChange, milestones)
    return TouchSeedResult(
        users=len(users), contacts=len(contacts), touchpoints=written, milestones=len(milestones)
    )


def _write(pending: list[PlannedTouch]) -> int:
    """The planned touches as Touchpoint rows (created and updated now); empties `pending`."""
    count = len(pending)
    rows = ([getattr(touch, name) for name in PLANNED_FIELDS] for touch in pending)
    bulk_copy.insert(Touchpoint, PLANNED_FIELDS, rows)
    pending.clear()
    return count
