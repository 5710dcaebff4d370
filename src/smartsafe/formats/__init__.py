"""One way of writing dates and times per language (``FORMAT_MODULE_PATH``).

Every date a person reads goes through a named format (``|date:"SHORT_DATETIME_FORMAT"``,
``formats.date_format(value, "DATETIME_FORMAT")``) and each language names each kind once here,
so a page never mixes "11/22/2026 11:13 p.m.", "22.11.26 23:13" and "Nov. 22, 2026": the long
and the short form of a kind are the same. Machine values (``datetime`` attributes, form values)
stay ISO 8601. A test (core/tests/test_date_formats.py) refuses a hand-written format in a template.
"""
