"""Category lists of the external reporting frameworks that our categories map to.

Each ``Category`` carries one ``chi_code`` and one ``insafe_code`` so that the annual return to
Child Helpline International and the quarterly return to the Insafe helpline network can be
counted from data. The codes on the left are ours and stable (they are stored); the labels on
the right are the frameworks' own names and may be reworded. Sources, what could and could not
be verified, and the reasoning behind each mapping: docs/taxonomy.md.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Child Helpline International data framework: reasons for contact, as main category → sub-category.
# Grouped choices, so the admin shows them under their main category.
CHI_CATEGORIES: list[tuple[object, list[tuple[str, object]]]] = [
    (
        _("Missing children"),
        [
            ("missing.abduction", _("Child abduction")),
            ("missing.lost", _("Lost, unaccounted for or otherwise missing child")),
            ("missing.runaway", _("Runaway")),
            ("missing.other", _("Missing children: unspecified/other")),
        ],
    ),
    (
        _("Violence"),
        [
            ("violence.bullying", _("Bullying")),
            ("violence.child_marriage", _("Child/early/forced marriage")),
            ("violence.child_labour", _("Child labour")),
            ("violence.commercial_sexual_exploitation", _("Commercial sexual exploitation (offline)")),
            ("violence.fgm", _("Female genital mutilation (FGM)")),
            (
                "violence.harmful_practices",
                _("Harmful traditional practices other than child marriage and FGM"),
            ),
            ("violence.emotional", _("Mental/emotional violence")),
            ("violence.neglect", _("Neglect (or negligent treatment)")),
            ("violence.online_sexual_abuse", _("Online sexual abuse (OSA)")),
            ("violence.online_sexual_exploitation", _("Online sexual exploitation (OSE)")),
            ("violence.physical", _("Physical violence")),
            ("violence.sexual", _("Sexual violence")),
            ("violence.other", _("Violence: unspecified/other")),
        ],
    ),
    (
        _("Mental health"),
        [
            ("mental_health.addictive", _("Addictive behaviours and substance use")),
            ("mental_health.behavioural", _("Behavioural problems")),
            ("mental_health.self_concerns", _("Concerns about the self")),
            ("mental_health.anger", _("Emotional distress – anger problems")),
            ("mental_health.fear_anxiety", _("Emotional distress – fear and anxiety problems")),
            ("mental_health.mood", _("Emotional distress – mood problems")),
            ("mental_health.neurodevelopmental", _("Neurodevelopmental concerns")),
            ("mental_health.eating", _("Problems with eating behaviour")),
            ("mental_health.self_harm", _("Self-harming behaviour")),
            ("mental_health.suicidal", _("Suicidal thoughts and suicide attempts")),
            ("mental_health.trauma", _("Traumatic distress")),
            ("mental_health.other", _("Mental health: unspecified/other")),
        ],
    ),
    (
        _("Physical health"),
        [
            ("physical_health.general", _("General medical or lifestyle concerns")),
            ("physical_health.hiv", _("Medical or lifestyle information about HIV/AIDS")),
            ("physical_health.pregnancy", _("Pregnancy and maternal care")),
            ("physical_health.sexual_reproductive", _("Sexual and reproductive health")),
            ("physical_health.nutrition", _("Nutrition")),
            ("physical_health.other", _("Physical health: unspecified/other")),
        ],
    ),
    (
        _("Access to services"),
        [
            ("access.education", _("Education")),
            ("access.essential_needs", _("Essential needs")),
            ("access.healthcare", _("General healthcare services")),
            ("access.legal", _("Legal services and advice")),
            ("access.mental_health", _("Mental health services")),
            ("access.sexual_health", _("Sexual health services")),
            ("access.socio_economic", _("Socio-economical services")),
            ("access.other", _("Access to services: unspecified/other")),
        ],
    ),
    (
        _("Discrimination and exclusion"),
        [
            ("discrimination.ethnicity", _("Ethnicity/nationality")),
            ("discrimination.financial", _("Financial situation")),
            ("discrimination.gender", _("Gender")),
            ("discrimination.sogie", _("Gender identity or expression and sexual orientation")),
            ("discrimination.health", _("Health")),
            ("discrimination.belief", _("Philosophical or religious beliefs")),
            ("discrimination.other", _("Discrimination and exclusion: unspecified/other")),
        ],
    ),
    (
        _("Family relationships"),
        [
            ("family.placement", _("Adoption, fostering, and extended family placement")),
            ("family.caregiver", _("Relationship to caregiver")),
            ("family.wellbeing", _("Family health and wellbeing")),
            ("family.siblings", _("Relationship with sibling(s)")),
            ("family.other", _("Family relationships: unspecified/other")),
        ],
    ),
    (
        _("Peer relationships"),
        [
            ("peer.friends", _("Friends and friendships")),
            ("peer.partner", _("Partner relationships")),
            ("peer.classmates", _("Classmates/colleagues relationships")),
            ("peer.other", _("Peer relationships: unspecified/other")),
        ],
    ),
    (
        _("Education and occupation"),
        [
            ("education.academic", _("Academic issues")),
            ("education.school", _("Teacher and school problems")),
            ("education.work", _("Problems at work")),
            ("education.other", _("Education and occupation: unspecified/other")),
        ],
    ),
    (
        _("Sexuality"),
        [
            ("sexuality.orientation_identity", _("Sexual orientation and gender identity")),
            ("sexuality.behaviours", _("Sexual behaviours")),
            ("sexuality.other", _("Sexuality: unspecified/other")),
        ],
    ),
    (
        _("Non-counselling contacts"),
        [
            ("non_counselling.complaint", _("Complaints about the child helpline")),
            ("non_counselling.about_helpline", _("Questions about the child helpline")),
            ("non_counselling.other_services", _("Questions about other services")),
            ("non_counselling.thanks", _("“Thank you for your assistance”")),
            ("non_counselling.other", _("Non-counselling contacts: unspecified/other")),
        ],
    ),
]

# Insafe helpline network (European Safer Internet Centres): the categories helplines log contacts
# against in the quarterly helpline returns. The first sixteen are the long-standing set; the rest
# were added in 2023 (suicide, self-harm, pornography, fake news, radicalisation) and 2024 (NCSII).
INSAFE_CATEGORIES: list[tuple[str, object]] = [
    ("cyberbullying", _("Cyberbullying")),
    ("sexting", _("Sexting")),
    ("sextortion", _("Online sexual coercion and extortion of children (sextortion)")),
    ("sexual_harassment", _("Online sexual harassment")),
    ("grooming", _("Grooming")),
    ("love_relationships_sexuality", _("Love, relationships, sexuality (online)")),
    ("potentially_harmful_content", _("Potentially harmful content")),
    ("hate_speech", _("Hate speech")),
    ("data_privacy", _("Data privacy")),
    ("e_crime", _("E-crime")),
    ("excessive_use", _("Excessive use")),
    ("gaming", _("Gaming")),
    ("media_literacy", _("Media literacy/education")),
    ("online_reputation", _("Online reputation")),
    ("technical_settings", _("Technical settings")),
    ("advertising_commercialism", _("Advertising/commercialism")),
    ("suicide", _("Suicide")),
    ("self_harm", _("Self-harm")),
    ("pornography", _("Pornography")),
    ("fake_news", _("Fake news")),
    ("radicalisation", _("Radicalisation/terrorism")),
    ("ncsii", _("Non-consensual sharing of intimate images (NCSII)")),
    ("other", _("Other")),
]

# Flat look-ups: code → label (CHI labels prefixed with their main category). Lazy, like the labels:
# this module is imported while the app registry loads, before translations can be read.
CHI_LABELS: dict[str, object] = {
    code: format_lazy("{} — {}", group, label) for group, items in CHI_CATEGORIES for code, label in items
}
INSAFE_LABELS: dict[str, object] = dict(INSAFE_CATEGORIES)


def chi_label(code: str) -> str:
    return str(CHI_LABELS.get(code, code))


def insafe_label(code: str) -> str:
    return str(INSAFE_LABELS.get(code, code))
