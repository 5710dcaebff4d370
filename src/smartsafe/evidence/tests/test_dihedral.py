"""Turned and mirrored copies: PDQ's dihedral hashes, stored and matched.

The pictures are drawn here (samples.drawing), deterministically, and turned with Pillow. For each
of the seven turns and mirrorings, the hash of the turned picture must come within a few bits of
the matching dihedral hash of the original; and the turned copy, stored in the vault, must link the
original's case, through the public portal too.
"""

import numpy as np
import pdqhash
import pytest
from django.core.cache import cache
from django.test import Client

from smartsafe.cases import actions as case_actions
from smartsafe.cases.queries import linked_cases
from smartsafe.evidence import actions, hashing
from smartsafe.evidence.models import DuplicateMatch, EvidenceFile
from smartsafe.evidence.tasks import link_pending_duplicates
from smartsafe.testing import make_case

from . import samples

SEEDS = range(6)
# Measured: 0 to 20 bits for lossless copies, up to 24 re-encoded as JPEG; other variants ~100.
CLOSE = 24


@pytest.mark.parametrize("seed", SEEDS)
def test_each_turned_copy_hashes_to_the_matching_dihedral_hash(seed):
    picture = samples.drawing(seed)
    original = hashing.pdq(samples.encode(picture))
    assert original.quality >= hashing.PDQ_MIN_QUALITY and len(original.dihedral) == 8
    assert original.dihedral[0] == original.hash
    small = samples.drawing(seed, size=(480, 360))  # under the 512 px the vault scales down to
    vector, _quality = pdqhash.compute(np.asarray(small))  # the plain hasher agrees
    assert hashing._hex(vector) == hashing.pdq(samples.encode(small)).hash
    for number, name in enumerate(hashing.DIHEDRAL[1:], start=1):
        turned = picture.transpose(samples.DIHEDRAL_TRANSPOSE[name])
        copy = hashing.pdq(samples.encode(turned, "JPEG", quality=85))
        distances = [hashing.pdq_distance(copy.hash, h) for h in original.dihedral]
        assert distances[number] <= CLOSE, (name, distances)
        # ... and it is the only close one: turning the picture really changes its hash.
        assert min(d for i, d in enumerate(distances) if i != number) > 2 * hashing.PDQ_MATCH_DISTANCE
        assert hashing.pdq_distance(copy.hash, original.hash) > hashing.PDQ_MATCH_DISTANCE


@pytest.mark.django_db
@pytest.mark.parametrize("name", hashing.DIHEDRAL[1:])
def test_a_turned_copy_links_the_original_case(counsellor, django_capture_on_commit_callbacks, name):
    picture = samples.drawing(11)
    first, second = make_case(counsellor), make_case(counsellor)
    with django_capture_on_commit_callbacks(execute=True):
        original = actions.receive_file(
            data=samples.encode(picture), filename="original.png", case=first, via="web"
        )
        turned = picture.transpose(samples.DIHEDRAL_TRANSPOSE[name])
        copy = actions.receive_file(
            data=samples.encode(turned, "JPEG", quality=80), filename="copy.jpg", case=second, via="web"
        )
    assert hashing.split_dihedral(copy.pdq_dihedral)[0] == copy.pdq_hash
    assert len(copy.pdq_dihedral) == 512 and copy.sha1
    match = DuplicateMatch.objects.get()
    assert (match.file, match.earlier, match.method) == (copy, original, "pdq")
    assert match.variant != 0 and match.distance <= CLOSE
    assert list(linked_cases(first)) == [second]
    assert EvidenceFile.objects.filter(matched_at__isnull=True).count() == 0
    custody = copy.custody.get(action="linked")
    assert custody.details["variant"] == hashing.DIHEDRAL[match.variant]


@pytest.mark.django_db
def test_a_mirrored_copy_sent_through_the_portal_links_the_original_case(
    counsellor, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smartsafe.portal.tests.conftest import Walker

    cache.clear()
    picture = samples.drawing(21)
    earlier = make_case(counsellor)
    actions.receive_file(
        data=samples.encode(picture), filename="seen.png", case=earlier, via="staff", actor=counsellor
    )
    mirrored = samples.encode(picture.transpose(samples.DIHEDRAL_TRANSPOSE["flip_horizontal"]), "JPEG")
    walker = Walker(Client(REMOTE_ADDR="203.0.113.9"))
    with django_capture_on_commit_callbacks(execute=True):
        response = walker.file(
            uploads=[SimpleUploadedFile("mirror.jpg", mirrored, content_type="image/jpeg")]
        )
    assert response.status_code == 302
    copy = EvidenceFile.objects.get(filename="mirror.jpg")
    assert DuplicateMatch.objects.get().file == copy  # matched on arrival, by the worker's task
    case = case_actions.open_case(actor=counsellor, contacts=[copy.contact], title="Mirrored copy")
    link_pending_duplicates.call()  # links the cases if opening the case has not already
    assert list(linked_cases(case)) == [earlier]
