"""The follow-up secret a child can write down, as strong as it needs to be, and the receipt file."""

import hashlib
import re

import pytest
from django.test import Client

from smartsafe.portal import tokens

pytestmark = pytest.mark.django_db


def test_the_secret_is_twelve_characters_in_threes_of_four():
    secret = tokens.new_secret()
    assert re.fullmatch(r"[2-9A-HJKMNP-TW-Z]{4}(-[2-9A-HJKMNP-TW-Z]{4}){2}", secret)
    assert len(tokens.ALPHABET) ** tokens.SECRET_LENGTH > 2**58


def test_the_stored_hash_is_keyed_and_legacy_secrets_still_match(settings):
    secret = tokens.new_secret()
    stored = tokens.hash_secret(secret)
    assert stored != hashlib.sha256(secret.replace("-", "").encode()).hexdigest()  # not a bare SHA-256
    assert tokens.secret_matches(secret.lower().replace("-", " "), stored)
    settings.SMARTSAFE_PSEUDONYM_KEY = "another key"
    assert not tokens.secret_matches(secret, stored)  # the key is part of it: a database copy is not enough
    legacy = "K7M3Q-9XABC-DEFGH-JKMNP-QRSTW-XY"
    legacy_hash = hashlib.sha256(legacy.replace("-", "").encode()).hexdigest()
    assert tokens.secret_matches(legacy, legacy_hash)


def test_the_receipt_page_offers_a_file_with_both_codes(walker):
    response = walker.file("cyberbullying")
    page = walker.client.get(response.url).content.decode()
    reference = re.search(r'id="reference">([^<]+)<', page).group(1)
    secret = re.search(r'id="secret">([^<]+)<', page).group(1)
    assert 'action="/public/report/receipt/"' in page
    download = walker.client.post("/public/report/receipt/", {"reference": reference, "secret": secret})
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{reference}.txt"'
    assert download["Cache-Control"] == "no-store"
    text = download.content.decode()
    assert reference in text and secret in text and "19833" in text
    bad = Client().post("/public/report/receipt/", {"reference": "nonsense", "secret": "x"})
    assert bad.status_code == 400


def test_colours_are_configuration_and_checked_at_start():
    css = Client().get("/public/theme.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert "--brand: #1d4e89;" in css.content.decode()
