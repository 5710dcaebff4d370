"""Subjects of web reports (and of the information added to them) written before they were stored
as a template: give them the template, so each counsellor reads them in their own language. A
case whose title is its contact's generated subject, unchanged, gets it too."""

from django.db import migrations

BATCH = 2000


def forwards(apps, schema_editor):
    PublicReport = apps.get_model("portal", "PublicReport")
    ReportAddition = apps.get_model("portal", "ReportAddition")
    Contact = apps.get_model("intake", "Contact")
    Case = apps.get_model("cases", "Case")

    def save(rows):
        Contact.objects.bulk_update(rows, ["subject_template", "subject_args"], batch_size=BATCH)

    rows = []
    reports = PublicReport.objects.select_related("contact", "category").order_by("pk")
    for report in reports.iterator(chunk_size=BATCH):
        contact = report.contact
        if contact.subject_template:
            continue
        contact.subject_template = "web_report"
        contact.subject_args = {"category": report.category.code if report.category else "other"}
        rows.append(contact)
        if len(rows) >= BATCH:
            save(rows)
            rows = []
    additions = ReportAddition.objects.select_related("contact", "report").order_by("pk")
    for addition in additions.iterator(chunk_size=BATCH):
        contact = addition.contact
        if contact.subject_template:
            continue
        contact.subject_template = "report_addition"
        contact.subject_args = {"reference": addition.report.reference}
        rows.append(contact)
        if len(rows) >= BATCH:
            save(rows)
            rows = []
    save(rows)

    cases = []
    linked = Contact.objects.exclude(subject_template="").exclude(case=None).select_related("case")
    for contact in linked.order_by("pk").iterator(chunk_size=BATCH):
        case = contact.case
        if not case.title_template and case.title == contact.subject[:200]:
            case.title_template, case.title_args = contact.subject_template, contact.subject_args
            cases.append(case)
    Case.objects.bulk_update(cases, ["title_template", "title_args"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("intake", "0003_generated_titles"),
        ("cases", "0003_generated_titles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
