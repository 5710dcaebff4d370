"""Canned replies for a chat: the inbox's ``CannedReply`` texts (edited in the admin) of the
chat's language. A chat in Serbian Latin script gets the Serbian texts transliterated, so a
centre keeps one Serbian text per reply."""

from __future__ import annotations

from smartsafe.inbox.models import CannedReply

_CYRILLIC = dict(
    zip(
        "абвгдђежзијклљмнњопрстћуфхцчџшАБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ",
        "a b v g d đ e ž z i j k l lj m n nj o p r s t ć u f h c č dž š "
        "A B V G D Đ E Ž Z I J K L Lj M N Nj O P R S T Ć U F H C Č Dž Š".split(),
        strict=True,
    )
)


def to_latin(text: str) -> str:
    return "".join(_CYRILLIC.get(ch, ch) for ch in text)


def for_language(language: str) -> list[dict]:
    code = "sr" if language in ("sr", "sr-latn") else language
    replies = CannedReply.objects.filter(active=True, language=code).order_by("title")
    latin = language == "sr-latn"
    return [
        {"title": to_latin(r.title) if latin else r.title, "body": to_latin(r.body) if latin else r.body}
        for r in replies
    ]
