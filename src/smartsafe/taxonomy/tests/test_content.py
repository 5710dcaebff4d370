"""What the data migration puts into every database: the shipped Serbian taxonomy."""

import pytest
from django.utils import translation

from smartsafe.taxonomy.frameworks import CHI_LABELS, INSAFE_LABELS
from smartsafe.taxonomy.models import AgeBand, Category, Channel, Municipality, Platform, ReporterType, Sex

pytestmark = pytest.mark.django_db

REFERRAL = {
    "profile_abuse": ("Злоупотреба профила", "Zloupotreba profila"),
    "internet_addiction": ("Зависност од интернета", "Zavisnost od interneta"),
    "dangerous_challenges": ("Опасне и лажне игре / изазови", "Opasne i lažne igre / izazovi"),
    "predators": ("Предатори — вребање / врбовање", "Predatori — vrebanje / vrbovanje"),
    "threats_blackmail": ("Претње и уцене", "Pretnje i ucene"),
    "csam": ("Материјал сексуалног злостављања деце", "Materijal seksualnog zlostavljanja dece"),
    "cyberbullying": ("Вршњачко насиље на интернету", "Vršnjačko nasilje na internetu"),
}


def test_the_migration_loads_the_seven_referral_categories_with_their_serbian_names():
    referral = {c.code: c for c in Category.objects.filter(kind=Category.Kind.REFERRAL)}
    assert set(referral) == set(REFERRAL)
    for code, (cyrillic, _latin) in REFERRAL.items():
        assert referral[code].name_sr == cyrillic
        assert referral[code].name_en and referral[code].description_sr and referral[code].description_en


def test_serbian_latin_is_generated_from_cyrillic_and_english_is_authored():
    category = Category.objects.get(code="profile_abuse")
    with translation.override("sr-latn"):
        assert category.name == "Zloupotreba profila"
        assert str(category) == "Zloupotreba profila"
        assert category.description.startswith("Lažno predstavljanje")
    with translation.override("sr"):
        assert category.name == "Злоупотреба профила"
    with translation.override("en"):
        assert category.name == "Profile abuse"
    for code, (_cyrillic, latin) in REFERRAL.items():
        assert Category.objects.get(code=code).name_in("sr-Latn") == latin


def test_every_active_category_maps_to_one_chi_and_one_insafe_category():
    categories = list(Category.objects.filter(active=True))
    assert len(categories) >= 20
    unmapped = [
        c.code for c in categories if c.chi_code not in CHI_LABELS or c.insafe_code not in INSAFE_LABELS
    ]
    assert unmapped == []
    # The mappings that annual returns depend on most.
    mapped = {c.code: (c.chi_code, c.insafe_code) for c in categories}
    assert mapped["cyberbullying"] == ("violence.bullying", "cyberbullying")
    assert mapped["predators"] == ("violence.online_sexual_abuse", "grooming")
    assert mapped["threats_blackmail"] == ("violence.online_sexual_exploitation", "sextortion")
    assert mapped["internet_addiction"] == ("mental_health.addictive", "excessive_use")


def test_advisory_topics_complete_the_referral_categories():
    advisory = set(Category.objects.filter(kind=Category.Kind.ADVISORY).values_list("code", flat=True))
    assert {
        "privacy_settings",
        "parental_controls",
        "harmful_content",
        "fraud_ecrime",
        "self_harm",
        "suicide",
        "hate_speech",
        "sexting",
        "gaming",
        "online_reputation",
        "technical_help",
        "other",
    } <= advisory
    assert not advisory & set(REFERRAL)


def test_categories_that_mean_immediate_danger_suggest_the_urgent_flag():
    urgent = set(Category.objects.filter(suggests_urgent=True).values_list("code", flat=True))
    assert urgent == {"predators", "threats_blackmail", "csam", "self_harm", "suicide"}


def test_channels_have_the_stable_codes_and_kinds():
    kinds = dict(Channel.objects.values_list("code", "kind"))
    assert kinds == {
        "web_form": "web",
        "email": "email",
        "phone": "phone",
        "viber": "social",
        "telegram": "social",
        "messenger": "social",
        "instagram": "social",
        "whatsapp": "social",
        "web_chat": "chat",
        "in_person": "in_person",
        "letter": "letter",
        "other": "other",
    }


def test_platforms_know_their_hosts_and_match_the_artefact_rules():
    hosts = dict(Platform.objects.values_list("code", "hosts"))
    assert {"instagram.com", "instagr.am"} <= set(hosts["instagram"])
    assert {"tiktok.com", "vm.tiktok.com"} <= set(hosts["tiktok"])
    assert {"facebook.com", "fb.com", "m.facebook.com"} <= set(hosts["facebook"])
    assert hosts["telegram"][0] == "t.me"
    assert {"youtube.com", "youtu.be"} <= set(hosts["youtube"])
    assert {"x.com", "twitter.com"} <= set(hosts["x"])
    # cases.artefacts names platforms by these codes; each must exist.
    from smartsafe.cases.artefacts import _PROFILE_PATTERNS

    for code, artefact_hosts, _pattern in _PROFILE_PATTERNS:
        assert set(artefact_hosts) <= set(hosts[code]), code
    every_host = [h for host_list in hosts.values() for h in host_list]
    assert len(every_host) == len(set(every_host))


def test_people_lists():
    assert list(ReporterType.objects.values_list("code", flat=True)) == [
        "child",
        "parent",
        "relative",
        "teacher",
        "professional",
        "peer",
        "citizen",
        "institution",
        "unknown",
    ]
    assert list(Sex.objects.values_list("code", flat=True)) == ["female", "male", "other", "unknown"]
    bands = list(AgeBand.objects.exclude(code="unknown").values_list("min_age", "max_age"))
    assert bands == [(0, 6), (7, 9), (10, 12), (13, 15), (16, 17), (18, None)]
    assert AgeBand.objects.filter(code="unknown", min_age=None, max_age=None).exists()


def test_municipalities_of_serbia_with_districts_and_regions():
    serbia = Municipality.objects.filter(country="RS")
    assert serbia.count() == 191  # 145 local self-government units + 17 city municipalities + 29 in Kosovo*
    units = serbia.exclude(region_en="Kosovo and Metohija Region").exclude(kind="city_municipality")
    assert units.count() == 145
    assert units.filter(kind="city").count() == 28 and units.filter(kind="municipality").count() == 117
    by_region = {
        r: serbia.filter(region_en=r).count() for r in set(serbia.values_list("region_en", flat=True))
    }
    assert by_region == {
        "Belgrade Region": 18,
        "Vojvodina Region": 45,
        "Šumadija and Western Serbia Region": 52,
        "Southern and Eastern Serbia Region": 47,
        "Kosovo and Metohija Region": 29,
    }
    assert serbia.filter(district="Град Београд", kind="city_municipality").count() == 17

    novi_sad = Municipality.objects.get(code="rs-novi-sad")
    assert (novi_sad.name_sr, novi_sad.kind, novi_sad.district, novi_sad.region_en) == (
        "Нови Сад",
        "city",
        "Јужнобачки округ",
        "Vojvodina Region",
    )
    zemun = Municipality.objects.get(code="rs-beograd-zemun")
    assert (zemun.name_sr, zemun.kind, zemun.district_en) == (
        "Земун",
        "city_municipality",
        "City of Belgrade",
    )
    assert Municipality.objects.get(code="rs-bor").district == "Борски округ"
    assert Municipality.objects.get(code="rs-vranje").region == "Регион Јужне и Источне Србије"
    karlovci = Municipality.objects.get(code="rs-sremski-karlovci")
    with translation.override("sr-latn"):
        assert (karlovci.name, karlovci.district_name) == ("Sremski Karlovci", "Južnobački okrug")
    with translation.override("en"):
        assert (karlovci.name, karlovci.district_name) == ("Sremski Karlovci", "South Bačka District")
    assert Municipality.objects.get(code="rs-beograd").name_en == "Belgrade"
