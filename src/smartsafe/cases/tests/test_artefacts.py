import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from smartsafe.cases.artefacts import _RESERVED, ArtefactError, identity, platform_of

SAME_PROFILE = [
    ("username", "@Ana.Petrovic", "instagram"),
    ("username", "ana.petrovic", "instagram"),
    ("profile_url", "https://www.instagram.com/ana.petrovic/", None),
    ("profile_url", "instagram.com/Ana.Petrovic?igshid=abc&utm_source=ig", None),
    ("url", "http://m.instagram.com/ana.petrovic", None),
]


def test_spellings_of_one_profile_share_an_identity():
    assert {identity(k, v, p) for k, v, p in SAME_PROFILE} == {"profile:instagram:ana.petrovic"}
    assert platform_of("profile:instagram:ana.petrovic") == "instagram"


@pytest.mark.parametrize(
    "kind,value,expected",
    [
        ("url", "HTTPS://Example.com//a/b/?utm_source=x&b=2&a=1#frag", "url:example.com/a/b?a=1&b=2"),
        ("url", "https://www.tiktok.com/@Mali_Mrav?lang=en", "profile:tiktok:mali_mrav"),
        ("url", "https://facebook.com/profile.php?id=1000123", "uid:facebook:1000123"),
        ("url", "https://t.me/some_body", "profile:telegram:some_body"),
        ("url", "https://www.instagram.com/p/CxYz123/", "url:instagram.com/p/CxYz123"),
        ("phone", "064/123-45-67", "phone:+381641234567"),
        ("phone", "00381 64 123 4567", "phone:+381641234567"),
        ("phone", "+387 61 123 456", "phone:+38761123456"),
        ("email", " Ana@Example.RS ", "email:ana@example.rs"),
        ("platform_user_id", "1234567890", "uid:unknown:1234567890"),
    ],
)
def test_normal_forms(kind, value, expected):
    assert identity(kind, value) == expected


@pytest.mark.parametrize(
    "kind,value",
    [
        ("url", "javascript:alert(1)"),
        ("url", "not a url"),
        ("url", "ftp://example.com/x"),
        ("phone", "12"),
        ("phone", "call me"),
        ("email", "nobody"),
        ("username", "two words"),
        ("username", ""),
        ("url", "x" * 600),
        ("kind", "value"),
    ],
)
def test_rejects_with_a_message(kind, value):
    with pytest.raises(ArtefactError) as error:
        identity(kind, value)
    assert str(error.value)


@given(
    kind=st.sampled_from(["url", "profile_url", "username", "phone", "email", "platform_user_id", "other"]),
    value=st.text(max_size=700),
    platform=st.one_of(st.none(), st.sampled_from(["instagram", "tiktok"])),
)
def test_never_fails_otherwise(kind, value, platform):
    try:
        result = identity(kind, value, platform)
    except ArtefactError:
        return
    assert 0 < len(result) <= 500
    assert ":" in result


@given(st.from_regex(r"[a-z0-9_]{1,20}(\.[a-z0-9_]{1,8})?", fullmatch=True))
def test_profile_url_and_username_agree(name):
    assume(name not in _RESERVED)  # instagram.com/p/… is a post, not the profile "p"
    assert identity("username", name, "instagram") == identity("url", f"https://instagram.com/{name}/")
