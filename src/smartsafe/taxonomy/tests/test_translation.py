"""Names in the active language; Serbian Latin generated from Cyrillic, never the other way round."""

from hypothesis import given
from hypothesis import strategies as st

from smartsafe.taxonomy.translation import _is_cyrillic, pick, to_latin

languages = st.one_of(
    st.none(),
    st.sampled_from(["sr", "sr-latn", "sr-Latn", "sr_Latn", "en", "en-gb", "de", ""]),
    st.text(max_size=12),
)
cyrillic_text = st.text(alphabet=st.characters(min_codepoint=0x0400, max_codepoint=0x052F), max_size=40)


@given(st.text() | cyrillic_text)
def test_latin_output_never_contains_cyrillic_letters(text):
    latin = to_latin(text)
    assert isinstance(latin, str)
    assert not any(_is_cyrillic(ch) for ch in latin)


@given(sr=st.text() | cyrillic_text, en=st.text(), language=languages)
def test_pick_never_raises_and_returns_an_authored_or_generated_name(sr, en, language):
    name = pick(sr=sr, en=en, language=language)
    assert name in (sr, en, to_latin(sr))
    if sr and (language or "").lower().replace("_", "-").startswith("sr-latn"):
        # Generated from the Cyrillic; English only when nothing of the Cyrillic transliterates.
        assert name == (to_latin(sr) or en)


def test_serbian_transliteration():
    assert to_latin("Злоупотреба профила") == "Zloupotreba profila"
    assert (
        to_latin("Љубовија, Њујорк, Џеп, Ђаковица, Ћуприја") == "Ljubovija, Njujork, Džep, Đakovica, Ćuprija"
    )
    assert to_latin("ЉУБОВИЈА") == "LJUBOVIJA"  # all capitals stay all capitals
    assert to_latin("Latin stays, 19833!") == "Latin stays, 19833!"
    assert to_latin("") == ""
    # Letters of other Cyrillic alphabets still come out in Latin.
    assert to_latin("Ѓорѓи ѕвезда ы") == "Đorđi dzvezda y"


def test_pick_by_language_with_fallbacks():
    assert pick(sr="Телефон", en="Phone", language="sr") == "Телефон"
    assert pick(sr="Телефон", en="Phone", language="sr-latn") == "Telefon"
    assert pick(sr="Телефон", en="Phone", language="en") == "Phone"
    assert pick(sr="Телефон", en="Phone", language="de") == "Phone"
    assert pick(sr="", en="Phone", language="sr") == "Phone"
    assert pick(sr="Телефон", en="", language="en") == "Telefon"
