"""Videos: accepted when they open, their key frames hashed with PDQ and matched like pictures."""

import hashlib

import pytest
from django.test import TestCase

from smartsafe.cases.queries import linked_cases
from smartsafe.evidence import actions, hashing
from smartsafe.evidence.models import DuplicateMatch, KnownContentMatch, VideoFrameHash
from smartsafe.evidence.validation import EvidenceRejected, validate_upload
from smartsafe.testing import make_case, make_contact

from . import samples

pytestmark = pytest.mark.django_db


def _receive(data, name, **where):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return actions.receive_file(data=data, filename=name, via="web", **where)


@pytest.mark.parametrize(
    ("fmt", "codec", "name", "mime"),
    [
        ("mp4", "libx264", "clip.mp4", "video/mp4"),
        ("mov", "libx264", "clip.mov", "video/quicktime"),
        ("webm", "libvpx-vp9", "clip.webm", "video/webm"),
    ],
)
def test_videos_are_accepted_when_they_open(fmt, codec, name, mime):
    data = samples.video([samples.drawing(61)], fmt=fmt, codec=codec)
    validated = validate_upload(name, data)
    assert (validated.kind, validated.content_type) == ("video", mime)
    # Cut short: MP4 and MOV lose their index (written last); WebM keeps playing up to the cut.
    with pytest.raises(EvidenceRejected) as refused:
        validate_upload(name, data[: len(data) // 3] if fmt != "webm" else data[:48])
    assert refused.value.code == "damaged"
    if fmt == "webm":
        with pytest.raises(EvidenceRejected) as renamed:
            validate_upload("clip.mp4", data)
        assert renamed.value.code == "mismatch"


def test_key_frames_are_hashed_with_their_dihedral_hashes(counsellor):
    pictures = [samples.drawing(62), samples.drawing(63)]
    file = _receive(samples.video(pictures), "clip.mp4", contact=make_contact(counsellor))
    frames = list(VideoFrameHash.objects.filter(file=file))
    assert file.kind == "video" and file.pdq_hash is None and "key frames hashed" in file.pdq_note
    assert 2 <= len(frames) <= 4  # one per picture, repeats left out (the encoder may add one)
    for picture, at in zip(pictures, (0.0, 2.0), strict=True):
        own = hashing.pdq(samples.encode(picture)).hash
        frame = min(frames, key=lambda f: abs(f.at_seconds - at))
        assert hashing.pdq_distance(frame.pdq_hash, own) <= hashing.PDQ_MATCH_DISTANCE
        assert hashing.split_dihedral(frame.pdq_dihedral)[0] == frame.pdq_hash


def test_a_screen_recording_of_a_listed_picture_is_known_content(counsellor):
    picture = samples.drawing(64)
    listed = hashing.pdq(samples.encode(picture))
    actions.import_hash_list(
        actor=None, name="Hotline", data=f"hash,quality\n{listed.hash},100\n", source="Partner hotline"
    )
    contact = make_contact(counsellor)
    recording = samples.video([samples.drawing(65), samples.screen_recording(picture)])
    file = _receive(recording, "recording.mp4", contact=contact)
    match = KnownContentMatch.objects.get()
    assert (match.file, match.method, match.list_name) == (file, "pdq", "Hotline")
    contact.refresh_from_db()
    assert contact.urgent and file.known_content


def test_a_video_and_a_picture_of_the_same_scene_link_their_cases(counsellor):
    picture = samples.drawing(66)
    video_case, picture_case, later_case = make_case(counsellor), make_case(counsellor), make_case(counsellor)
    clip = _receive(samples.video([samples.drawing(67), picture]), "clip.mp4", case=video_case)
    # A picture arriving after the video finds the video's frames in the vault ...
    still = _receive(samples.encode(picture, "JPEG"), "still.jpg", case=picture_case)
    assert DuplicateMatch.objects.get().earlier == clip and DuplicateMatch.objects.get().file == still
    # ... and a video arriving after a (mirrored) picture finds the picture.
    mirrored = picture.transpose(samples.DIHEDRAL_TRANSPOSE["flip_horizontal"])
    later = _receive(samples.video([mirrored]), "later.mp4", case=later_case)
    assert set(DuplicateMatch.objects.filter(file=later).values_list("earlier", flat=True)) == {
        clip.pk,
        still.pk,
    }
    assert set(linked_cases(video_case)) == {picture_case, later_case}
    assert hashlib.sha256(samples.video([picture])).hexdigest() != clip.sha256
