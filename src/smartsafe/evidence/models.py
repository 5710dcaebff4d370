"""The evidence vault: files received from reporters and staff, their hashes and chain of custody.

A file's content never lives in the database: it is encrypted with its own AES-256-GCM key and
stored under ``MEDIA_ROOT/evidence/`` with a random name; the row keeps the hashes, the wrapped
key and the facts of custody. Deleting a file purges the content and its key but keeps the row,
its hashes and its custody log (see docs/evidence.md).

A file arrives on a contact or directly on a case. A contact's files follow it to its case: the
case of a file is ``file.case`` or else ``file.contact.case``, resolved when read
(``EvidenceFile.objects.for_case``), so linking a contact needs no write here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EvidenceKind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF document")
    TEXT = "text", _("Text")
    CHAT_EXPORT = "chat_export", _("Chat export")
    ARCHIVE = "archive", _("Archive (zip)")
    VIDEO = "video", _("Video")


class ReceivedVia(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
    MESSENGER = "messenger", _("Messenger")
    STAFF = "staff", _("Staff upload")


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", _("Not scanned")
    CLEAN = "clean", _("Clean")
    INFECTED = "infected", _("Infected")
    ERROR = "error", _("Scan failed")


class EvidenceFileQuerySet(models.QuerySet):
    def for_case(self, case):
        """Files of ``case``: attached to it directly or to one of its contacts."""
        return self.filter(Q(case=case) | Q(case__isnull=True, contact__case=case))

    def present(self):
        return self.filter(deleted_at__isnull=True)


class EvidenceFile(models.Model):
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_files",
        verbose_name=_("case"),
    )
    contact = models.ForeignKey(
        "intake.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_files",
        verbose_name=_("contact"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    md5 = models.CharField("MD5", max_length=32, db_index=True)
    sha1 = models.CharField("SHA-1", max_length=40, blank=True, db_index=True)
    pdq_hash = models.CharField(_("PDQ hash"), max_length=64, null=True, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(_("PDQ quality"), null=True, blank=True)
    # Why no PDQ was computed for an image (e.g. a format the decoder cannot read).
    pdq_note = models.CharField(_("PDQ note"), max_length=200, blank=True)
    # The eight dihedral PDQ hashes (hashing.DIHEDRAL's order, 512 hex digits): what the hash is
    # for the picture turned or mirrored. Empty for files stored before they were kept.
    pdq_dihedral = models.CharField(_("dihedral PDQ hashes"), max_length=512, blank=True)
    # When the worker compared this file with the rest of the vault (matching.py); None: not yet.
    matched_at = models.DateTimeField(_("compared with the vault"), null=True, blank=True, db_index=True)
    # The file matched a hash list of known abuse material (KnownContentMatch says which): it is
    # never shown in the browser.
    known_content = models.BooleanField(_("known content"), default=False, db_index=True)
    # A supervisor confirmed the file as abuse material: its hashes are shared with partners.
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, db_index=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    # Encryption at rest (evidence/crypto.py). ``storage_name`` is random, never from the file name.
    storage_name = models.CharField(max_length=200, unique=True)
    wrapped_key = models.BinaryField(max_length=128, blank=True)
    key_id = models.CharField(_("master key id"), max_length=32, blank=True, db_index=True)
    nonce = models.BinaryField(max_length=12, blank=True)

    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    received_via = models.CharField(_("received via"), max_length=16, choices=ReceivedVia.choices)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    scan_status = models.CharField(
        _("virus scan"), max_length=16, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED
    )
    scan_signature = models.CharField(_("scanner finding"), max_length=200, blank=True)

    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deleted by"),
    )
    deletion_reason = models.TextField(_("reason for deletion"), blank=True)

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["pdq_quality"], name="evidence_pdq_quality_idx")]

    def __str__(self) -> str:
        return f"E-{self.pk} {self.filename}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def resolved_case(self):
        """The case this file belongs to: its own, or its contact's (may be None)."""
        if self.case_id:
            return self.case
        return self.contact.case if self.contact_id and self.contact.case_id else None


class VideoFrameHash(models.Model):
    """The PDQ hashes of one key frame of a video, matched like a picture's (hashing.video_frames)."""

    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="frame_hashes")
    at_seconds = models.FloatField(_("time in the video (s)"))
    pdq_hash = models.CharField(_("PDQ hash"), max_length=64)
    pdq_quality = models.PositiveSmallIntegerField(_("PDQ quality"))
    pdq_dihedral = models.CharField(_("dihedral PDQ hashes"), max_length=512)

    class Meta:
        ordering = ["file", "at_seconds"]

    def __str__(self) -> str:
        return f"E-{self.file_id} at {self.at_seconds:.1f} s"


class CustodyQuerySet(models.QuerySet):
    """Custody is append-only like the audit log: bulk changes are refused."""

    def update(self, **kwargs):
        raise CustodyAppendOnly("The chain of custody is append-only.")

    def delete(self):
        raise CustodyAppendOnly("The chain of custody is append-only.")

    def bulk_update(self, *args, **kwargs):
        raise CustodyAppendOnly("The chain of custody is append-only.")


class CustodyAppendOnly(Exception):
    pass


class CustodyAction(models.TextChoices):
    RECEIVED = "received", _("received")
    SCANNED = "scanned", _("scanned")
    VIEWED = "viewed", _("viewed")
    DOWNLOADED = "downloaded", _("downloaded")
    EXPORTED = "exported", _("exported")
    LINKED = "linked", _("matched another file")
    KNOWN = "known", _("matched a hash list")
    CONFIRMED = "confirmed", _("confirmed as abuse material")
    REKEYED = "rekeyed", _("key re-wrapped")
    DELETED = "deleted", _("deleted")


class CustodyEvent(models.Model):
    """One step in a file's chain of custody: who did what with it, when, from where and why."""

    file = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, related_name="custody")
    action = models.CharField(_("action"), max_length=16, choices=CustodyAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    ip = models.CharField(_("address"), max_length=45, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = CustodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"E-{self.file_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise CustodyAppendOnly("Custody events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise CustodyAppendOnly("Custody events cannot be deleted.")


class DuplicateMatch(models.Model):
    """``file`` (the newer) matches ``earlier``: same bytes, or a near-identical image (PDQ)."""

    class Method(models.TextChoices):
        SHA256 = "sha256", _("identical file")
        PDQ = "pdq", _("near-identical image")

    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="matches")
    earlier = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="later_matches")
    method = models.CharField(max_length=8, choices=Method.choices)
    distance = models.PositiveSmallIntegerField(default=0)
    # Which dihedral hash of the compared picture came closest (hashing.DIHEDRAL; 0: as it is).
    variant = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["file", "earlier"], name="evidence_match_unique")]

    def __str__(self) -> str:
        return f"E-{self.file_id} ~ E-{self.earlier_id} ({self.method}, {self.distance})"

    @property
    def turned_or_mirrored(self) -> bool:
        return self.variant != 0


class HashAlgorithm(models.TextChoices):
    PDQ = "pdq", "PDQ"
    MD5 = "md5", "MD5"
    SHA1 = "sha1", "SHA-1"
    SHA256 = "sha256", "SHA-256"


class KnownHashList(models.Model):
    """A list of hashes of known abuse material received from a partner (hotline, platform, police).

    The list holds hashes only, never pictures. Replacing a list swaps its entries in one
    transaction; withdrawing it removes the entries and keeps the record (and every match made
    while it was in force).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("in force")
        WITHDRAWN = "withdrawn", _("withdrawn")

    name = models.CharField(_("name"), max_length=100, unique=True)
    algorithm = models.CharField(_("hash"), max_length=8, choices=HashAlgorithm.choices)
    source = models.CharField(_("source"), max_length=200)
    list_date = models.DateField(_("date of the list"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    entry_count = models.PositiveIntegerField(_("hashes"), default=0)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Moves on every import, replacement and withdrawal: processes rebuild their PDQ index then.
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("hash list")
        verbose_name_plural = _("hash lists")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class KnownHash(models.Model):
    hash_list = models.ForeignKey(KnownHashList, on_delete=models.CASCADE, related_name="entries")
    algorithm = models.CharField(max_length=8, choices=HashAlgorithm.choices)
    value = models.CharField(max_length=64)  # lower-case hex
    quality = models.PositiveSmallIntegerField(null=True, blank=True)  # PDQ lists only

    class Meta:
        indexes = [models.Index(fields=["algorithm", "value"], name="evidence_known_hash_idx")]

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.value}"


class KnownContentMatch(models.Model):
    """``file`` matched ``hash_list`` on arrival: the same digest, or a PDQ hash within the threshold."""

    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="known_matches")
    hash_list = models.ForeignKey(KnownHashList, on_delete=models.PROTECT, related_name="matches")
    list_name = models.CharField(max_length=100)  # as it was called when the file matched
    method = models.CharField(max_length=8, choices=HashAlgorithm.choices)
    value = models.CharField(max_length=64)  # the list's hash that matched
    distance = models.PositiveSmallIntegerField(default=0)
    variant = models.PositiveSmallIntegerField(default=0)  # hashing.DIHEDRAL
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["file", "hash_list"], name="evidence_known_match_unique")
        ]
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"E-{self.file_id} in {self.list_name} ({self.method}, {self.distance})"
