"""What a contact's channel knows about the incident in structured form, for the case opened from it.

A web-form report holds the child's age band, the municipality, the platforms and the online
traces the reporter gave; a phone call holds none of that. The channel apps that know more
(the public portal) register a provider here when they start, so a case opened from their
contacts starts with those facts instead of a counsellor retyping them — and ``intake`` and
``cases`` still import nothing above them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from smartsafe.cases.models import ArtefactKind


@dataclass(frozen=True)
class ArtefactFact:
    kind: str  # cases.models.ArtefactKind
    value: str  # as reported
    normalized: str  # cases.artefacts.identity of the value
    platform: object | None = None  # taxonomy.Platform

    @property
    def kind_label(self) -> str:
        return str(dict(ArtefactKind.choices).get(self.kind, self.kind))


@dataclass
class ContactFacts:
    age_band: object | None = None  # taxonomy.AgeBand
    municipality: object | None = None  # taxonomy.Municipality
    platforms: list = field(default_factory=list)  # taxonomy.Platform
    artefacts: list[ArtefactFact] = field(default_factory=list)

    def merge(self, other: ContactFacts) -> None:
        """The first contact that says something wins a single fact; lists are joined, once each."""
        self.age_band = self.age_band or other.age_band
        self.municipality = self.municipality or other.municipality
        for platform in other.platforms:
            if platform not in self.platforms:
                self.platforms.append(platform)
        seen = {(a.kind, a.normalized) for a in self.artefacts}
        for artefact in other.artefacts:
            if (artefact.kind, artefact.normalized) not in seen:
                seen.add((artefact.kind, artefact.normalized))
                self.artefacts.append(artefact)


Provider = Callable[[object], "ContactFacts | None"]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Called from an app's ``ready()``; ``provider(contact)`` returns facts or None."""
    if provider not in _providers:
        _providers.append(provider)


def facts_for(contacts: Iterable) -> ContactFacts:
    """Everything the registered providers know about ``contacts``, in the contacts' order.

    The caller has already checked that the user may read each contact."""
    facts = ContactFacts()
    for contact in contacts:
        for provider in _providers:
            found = provider(contact)
            if found is not None:
                facts.merge(found)
    return facts
