"""Fills the demo's text templates (mini-syntax described in ``stories``) into Serbian sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import people

_CHILD_ALT = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]*)\]")
_REPORTER_ALT = re.compile(r"<([^<>|]*)\|([^<>|]*)>")
_SLOT = re.compile(r"\{([A-Za-z_]+)\}")
# Serbian enclitics cannot open a sentence: where the child is the unnamed subject and a clitic
# follows, the pronoun is written out ("Она је …" instead of "Је …").
_CLITIC_AFTER_SUBJECT = re.compile(r"\{(Child|child)\}(\s+)(је|се|јој|му|га|ју|их|ће|би|су|сам)\b")


@dataclass(frozen=True)
class Child:
    female: bool
    age: int

    def _forms(self) -> tuple[str, str, str, str]:
        """(nominative, genitive, accusative, instrumental) of the plainest descriptor for this age."""
        if self.age <= 10:
            return (
                ("девојчица", "девојчице", "девојчицу", "девојчицом")
                if self.female
                else ("дечак", "дечака", "дечака", "дечаком")
            )
        if self.age <= 14:
            return (
                ("ученица", "ученице", "ученицу", "ученицом")
                if self.female
                else ("ученик", "ученика", "ученика", "учеником")
            )
        return (
            ("средњошколка", "средњошколке", "средњошколку", "средњошколком")
            if self.female
            else ("средњошколац", "средњошколца", "средњошколца", "средњошколцем")
        )

    @property
    def grade(self) -> str:
        if self.age < 7:
            return "предшколског узраста"
        if self.age <= 14:
            return f"{self.age - 6}. разреда"
        return f"{min(self.age - 14, 4)}. разреда средње школе"

    def descriptors(self) -> dict[str, str]:
        nom, gen, acc, ins = self._forms()
        pupil_gen, pupil_ins = ("ученице", "ученицом") if self.female else ("ученика", "учеником")
        return {
            "kid_nom": f"{nom} ({self.age})",
            "kid_gen": f"{gen} ({self.age})",
            "kid_acc": f"{acc} ({self.age})",
            "kid_grade": f"{pupil_gen} {self.grade}",
            "kid_ins_grade": f"{pupil_ins} {self.grade}",
        }


def subject_for(reporter: str, child: Child) -> str:
    """How the situation names the child after the opener introduced them ("" when they speak)."""
    if reporter == "child":
        return ""
    if reporter == "parent":
        return "ћерка" if child.female else "син"
    if reporter == "teacher":
        return "ученица" if child.female else "ученик"
    if child.age >= 15:
        return "девојка" if child.female else "младић"
    return "девојчица" if child.female else "дечак"


def fill(
    template: str,
    *,
    child: Child,
    reporter_female: bool = True,
    subject: str = "",
    platform: str | None = None,
    verb: str = "",
) -> str:
    text = _CHILD_ALT.sub(lambda m: m.group(1) if child.female else m.group(2), template)
    text = _REPORTER_ALT.sub(lambda m: m.group(1) if reporter_female else m.group(2), text)
    if not subject:
        pronoun = "она" if child.female else "он"
        text = _CLITIC_AFTER_SUBJECT.sub(
            lambda m: (pronoun.capitalize() if m.group(1) == "Child" else pronoun) + m.group(2) + m.group(3),
            text,
        )
    name, locative = people.PLATFORMS.get(platform or "", ("интернет", "на интернету"))
    game, game_locative = people.GAMES.get(platform or "", people.GAMES["roblox"])
    values = {
        "Child": subject.capitalize(),
        "child": subject,
        "pl": locative,
        "Pl": name,
        "Verb": verb,
        "game": game,
        "game_loc": game_locative,
        **child.descriptors(),
    }
    text = _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    return tidy(text)


def tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"^[,;]\s*", "", text)
    return text[:1].upper() + text[1:]
