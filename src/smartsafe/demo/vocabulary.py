"""Finds the taxonomy terms the demo needs, by stable code.

Channels and the seven referral categories are required (docs/domain.md §2): without them the command
stops with "taxonomy not loaded". Everything else (advisory topics, platforms, reporter types,
age bands, sexes, municipalities) is used where present and left empty where not, matched first
by the codes below and then by the English name, so the demo works with any reasonable taxonomy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smartsafe.core.text import fold
from smartsafe.taxonomy.models import AgeBand, Category, Channel, Municipality, Platform, ReporterType, Sex

from . import people, places, profile

REFERRAL_CATEGORIES = (
    "cyberbullying",
    "profile_abuse",
    "predators",
    "threats_blackmail",
    "csam",
    "internet_addiction",
    "dangerous_challenges",
)

# demo key → (candidate codes, words to look for in the folded English name)
ADVISORY_CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "privacy": (("privacy", "privacy_settings", "privacy_data", "data_protection"), ("privacy",)),
    "parental_controls": (("parental_controls", "parental_control", "parental_tools"), ("parental",)),
    "harmful_content": (("harmful_content", "inappropriate_content"), ("harmful content", "inappropriate")),
    "fraud": (
        ("fraud", "fraud_ecrime", "e_crime", "online_fraud", "scams", "fraud_e_crime"),
        ("fraud", "scam"),
    ),
    "self_harm": (
        ("self_harm", "self_harm_suicide", "suicide", "suicide_self_harm"),
        ("self-harm", "self harm", "suicid"),
    ),
    "hate_speech": (("hate_speech", "hate"), ("hate",)),
    # The demo's "other" questions are mostly about the centre itself.
    "other": (("about_centre", "other", "other_topic", "general"), ("about the centre", "other")),
}
REPORTERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "child": (("child", "child_self", "minor", "child_young_person"), ("child", "young person")),
    "parent": (
        ("parent", "parent_guardian", "parent_carer", "guardian", "parent_caregiver"),
        ("parent", "guardian"),
    ),
    "teacher": (
        ("teacher", "school", "school_staff", "educator", "school_professional"),
        ("teacher", "school"),
    ),
    "professional": (
        ("professional", "social_worker", "other_professional", "professional_other"),
        ("professional",),
    ),
    "relative": (
        ("relative", "family_member", "other_adult", "adult", "citizen", "friend", "other_relative"),
        ("relative", "family", "adult", "citizen"),
    ),
    "anonymous": (("anonymous", "unknown", "not_known"), ("anonymous", "unknown")),
}
SEXES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "female": (("female", "f", "girl", "zensko", "woman"), ("female", "girl")),
    "male": (("male", "m", "boy", "musko", "man"), ("male", "boy")),
}
PLATFORM_CODES: dict[str, tuple[str, ...]] = {key: (key,) for key in people.PLATFORMS}
PLATFORM_CODES["x"] = ("x", "twitter", "x_twitter")
PLATFORM_CODES["fortnite"] = ("fortnite", "epic_games")


class TaxonomyMissing(Exception):
    pass


@dataclass
class Vocabulary:
    channels: dict[str, object]
    categories: dict[str, object]  # demo key → Category
    platforms: dict[str, object] = field(default_factory=dict)
    reporters: dict[str, object] = field(default_factory=dict)
    sexes: dict[str, object] = field(default_factory=dict)
    age_bands: list[tuple[int, int, object]] = field(default_factory=list)  # (from, to, AgeBand)
    municipalities: list[tuple[object, float]] = field(default_factory=list)  # (Municipality, weight)

    def age_band(self, age: int):
        for low, high, band in self.age_bands:
            if low <= age <= high:
                return band
        return None


def _match(terms: list, codes: tuple[str, ...], words: tuple[str, ...]):
    by_code = {t.code: t for t in terms}
    for code in codes:
        if code in by_code:
            return by_code[code]
    for term in terms:
        name = fold(term.name_en)
        if any(w in name for w in words):
            if "male" in words and "female" in name:
                continue  # "female" contains "male"
            return term
    return None


def _resolve(model, wanted: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> dict[str, object]:
    terms = list(model.objects.filter(active=True).order_by("code"))
    found = {}
    for key, (codes, words) in wanted.items():
        term = _match(terms, codes, words)
        if term is not None and term not in found.values():
            found[key] = term
    return found


def municipality_weight(term) -> float:
    keys = {fold(term.name_sr), fold(term.name_en), term.code.replace("_", " ").replace("-", " ")}
    for key in list(keys):
        for prefix in ("grad ", "city of ", "opstina ", "gradska opstina ", "municipality of "):
            if key.startswith(prefix):
                keys.add(key[len(prefix) :])
    for key in sorted(keys):
        if key in places.POPULATION:
            return float(places.POPULATION[key])
    return float(places.DEFAULT_POPULATION)


def _split_share(term, terms) -> float:
    """A city listed together with its city municipalities (Belgrade) shares its people with them:
    most reports name the city municipality, some only the city."""
    district = getattr(term, "district", "")
    has_parts = any(getattr(t, "kind", "") == "city_municipality" and t.district == district for t in terms)
    if not has_parts:
        return 1.0
    return 0.7 if getattr(term, "kind", "") == "city_municipality" else 0.3


def load() -> Vocabulary:
    channels = {c.code: c for c in Channel.objects.filter(code__in=list(profile.CHANNEL_MIX))}
    categories = {c.code: c for c in Category.objects.filter(code__in=REFERRAL_CATEGORIES)}
    missing = [f"channel {code}" for code in profile.CHANNEL_MIX if code not in channels]
    missing += [f"category {code}" for code in REFERRAL_CATEGORIES if code not in categories]
    if missing:
        raise TaxonomyMissing(
            "taxonomy not loaded: missing "
            + ", ".join(missing)
            + " (run `manage.py migrate` to load the taxonomy)"
        )
    # Advisory topics never reuse a referral category.
    advisory_pool = Category.objects.exclude(code__in=REFERRAL_CATEGORIES)
    terms = list(advisory_pool.filter(active=True).order_by("code"))
    for key, (codes, words) in ADVISORY_CATEGORIES.items():
        term = _match(terms, codes, words)
        if term is not None and term not in categories.values():
            categories[key] = term
    platforms = {}
    all_platforms = list(Platform.objects.filter(active=True).order_by("code"))
    for key, codes in PLATFORM_CODES.items():
        term = _match(all_platforms, codes, (key,) if len(key) > 2 else ())
        if term is not None:
            platforms[key] = term
    bands = [
        (b.min_age if b.min_age is not None else 0, b.max_age if b.max_age is not None else 200, b)
        for b in AgeBand.objects.filter(active=True).order_by("sort_order", "code")
        if b.min_age is not None or b.max_age is not None
    ]
    terms = list(Municipality.objects.filter(active=True, country="RS").order_by("code"))
    municipalities = [(m, municipality_weight(m) * _split_share(m, terms)) for m in terms]
    return Vocabulary(
        channels=channels,
        categories=categories,
        platforms=platforms,
        reporters=_resolve(ReporterType, REPORTERS),
        sexes=_resolve(Sex, SEXES),
        age_bands=bands,
        municipalities=municipalities,
    )
