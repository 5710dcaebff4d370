import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartsafe.core.text import storable
from smartsafe.intake.actions import receive_contact
from smartsafe.testing import channel


@given(
    st.recursive(
        st.text() | st.none() | st.integers(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_storable_values_encode(value):
    import json

    cleaned = storable(value)
    json.dumps(cleaned, ensure_ascii=False).encode("utf-8")
    assert "\x00" not in json.dumps(cleaned)


def test_surrogates_and_nul_become_replacement_characters():
    assert storable("a\x00b\udc80c") == "a\ufffdb?c"


@pytest.mark.django_db
def test_contacts_from_parsers_store_on_every_engine():
    contact, _ = receive_contact(channel=channel("email"), subject="Тема\x00", summary="текст \udcff крај")
    contact.refresh_from_db()
    assert contact.subject == "Тема\ufffd" and "\x00" not in contact.summary
