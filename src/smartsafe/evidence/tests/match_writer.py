"""One of several processes storing and matching pictures at once (test_concurrent_matching).

``python -m smartsafe.evidence.tests.match_writer START CONTACT SEED:VARIANT ...`` waits until the
wall clock (time.time) reaches START, then for each picture: stores it on CONTACT as a request
would, and matches it as a worker of this process would (its own in-memory index), at once.
"""

from __future__ import annotations

import sys
import time

import django


def main(start: float, contact_id: int, pictures: list[str]) -> None:
    django.setup()
    from smartsafe.evidence import actions
    from smartsafe.evidence.tests import samples
    from smartsafe.intake.models import Contact

    contact = Contact.objects.get(pk=contact_id)
    while time.time() < start:
        time.sleep(0.005)
    for spec in pictures:
        seed, variant = spec.split(":")
        picture = samples.drawing(int(seed))
        if variant != "original":
            picture = picture.transpose(samples.DIHEDRAL_TRANSPOSE[variant])
        file = actions.receive_file(
            data=samples.encode(picture, "JPEG", quality=85),
            filename=f"{spec}.jpg",
            contact=contact,
            via="web",
        )
        actions.match_file(file)  # as this process's worker would, right after the commit
    print(len(pictures), flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])
