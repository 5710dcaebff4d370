"""The demo centre: years of invented but realistic contacts and cases (``manage.py load_demo``).

``profile`` holds every proportion; ``plan`` turns a seed into data; ``bulk`` and ``live`` write it
(history in bulk, the last weeks through the real actions); ``stories``, ``stories_advisory`` and
``phrases`` are the Serbian text material. See docs/demo-data.md.
"""
