"""The PDQ index finds exactly what comparing against every stored hash finds, and keeps current."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartsafe.evidence import hashing, matching, pdq_index
from smartsafe.evidence.models import EvidenceFile
from smartsafe.evidence.pdq_index import PdqIndex, exact_scan, hex_to_words
from smartsafe.testing import make_contact


def _near(rng, words: np.ndarray, bits: int) -> np.ndarray:
    """``words`` with ``bits`` random bits flipped."""
    out = words.copy()
    for bit in rng.choice(256, bits, replace=False):
        out[bit // 64] ^= np.uint64(1) << np.uint64(63 - bit % 64)
    return out


def _random(rng, n: int) -> np.ndarray:
    return rng.integers(0, 2**64, (n, 4), dtype=np.uint64)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    stored=st.integers(0, 400),
    planted=st.integers(0, 40),
    queries=st.integers(1, 8),
    batches=st.integers(1, 4),
    tail_limit=st.sampled_from([0, 7, 100, 10_000]),
    threshold=st.integers(0, pdq_index.MAX_DISTANCE),
)
def test_the_index_answers_as_the_exact_scan(seed, stored, planted, queries, batches, tail_limit, threshold):
    rng = np.random.default_rng(seed)
    query = _random(rng, queries)
    # Random hashes, and hashes planted around the queries at every distance up to 40 bits.
    near = [_near(rng, query[rng.integers(0, queries)], int(rng.integers(0, 41))) for _ in range(planted)]
    words = np.concatenate([_random(rng, stored), np.array(near, dtype=np.uint64).reshape(-1, 4)])
    keys = rng.permutation(len(words)) + 1000
    index = PdqIndex(tail_limit=tail_limit)  # buckets only, the tail only, or both
    for part in np.array_split(np.arange(len(words)), batches):
        index.add(keys[part], words[part])
    assert sorted(index.search(query, threshold), key=lambda h: h.key) == sorted(
        exact_scan(keys, words, query, threshold), key=lambda h: h.key
    )


def test_hex_round_trip_and_distance_agree_with_the_hasher():
    rng = np.random.default_rng(5)
    a, b = (format(int(x), "064x") for x in rng.integers(0, 2**62, 2))
    words = hex_to_words([a, b])
    assert pdq_index.distances(words[:1], words[1:])[0, 0] == hashing.pdq_distance(a, b)
    assert matching._hex_rows(words) == [a, b]


def test_the_index_refuses_distances_it_cannot_answer():
    with pytest.raises(ValueError):
        PdqIndex().search(np.zeros((1, 4), dtype=np.uint64), pdq_index.MAX_DISTANCE + 1)


def _file(pk, contact, pdq_hash, quality=100):
    return EvidenceFile.objects.create(
        pk=pk,
        contact=contact,
        filename=f"{pk}.png",
        content_type="image/png",
        kind="image",
        size=1,
        sha256=f"{pk:064x}",
        md5=f"{pk:032x}",
        pdq_hash=pdq_hash,
        pdq_quality=quality,
        storage_name=f"evidence/00/{pk}.bin",
        received_via="web",
    )


@pytest.mark.django_db
def test_the_vault_index_picks_up_rows_that_commit_after_later_ones(counsellor):
    """A file whose transaction commits after a later file's is still found (its id was a gap)."""
    contact = make_contact(counsellor)
    rng = np.random.default_rng(9)
    target = _random(rng, 1)
    target_hex = matching._hex_rows(target)[0]
    _file(100, contact, matching._hex_rows(_random(rng, 1))[0])
    _file(103, contact, matching._hex_rows(_random(rng, 1))[0])
    index = matching.VaultIndex()
    assert index.search(target) == []
    assert {101, 102} <= set(index.gaps)
    _file(101, contact, matching._hex_rows(_near(rng, target[0], 5)[None, :])[0])  # committed late
    _file(104, contact, target_hex)
    _file(105, contact, target_hex, quality=hashing.PDQ_MIN_QUALITY - 1)  # never compared
    assert {(h.key, h.distance) for h in index.search(target)} == {(101, 5), (104, 0)}
    assert 102 in index.gaps and 101 not in index.gaps


@pytest.mark.django_db
def test_the_vault_index_starts_again_when_the_database_went_back(counsellor):
    contact = make_contact(counsellor)
    index = matching.VaultIndex()
    index.max_id = 10_000  # as if it had read rows that a restored backup no longer has
    rng = np.random.default_rng(3)
    words = _random(rng, 1)
    _file(7, contact, matching._hex_rows(words)[0])
    assert [h.key for h in index.search(words)] == [7]


@pytest.mark.django_db
def test_a_jump_of_the_sequence_is_not_watched_id_by_id(counsellor):
    contact = make_contact(counsellor)
    rng = np.random.default_rng(4)
    _file(5, contact, matching._hex_rows(_random(rng, 1))[0])
    _file(500_000, contact, matching._hex_rows(_random(rng, 1))[0])
    index = matching.VaultIndex()
    index.refresh()
    assert len(index.gaps) <= 2 * matching.GAP_WATCH and 499_999 in index.gaps and 6 not in index.gaps
