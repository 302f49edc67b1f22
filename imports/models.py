"""An import: its uploaded files, the rows read from them, and what its commit did (for undo).

The life of an import: READING (a Celery task reads the files into rows, counting live) →
MAPPING (a CSV of no known layout waits for its columns) or PREVIEW (rows matched against the
owner's contacts; nothing of the owner's is written yet) → COMMITTED (contacts and touches
written in one transaction; the files deleted) → UNDONE. An unreadable file makes it FAILED, and
an upload left uncommitted for a day is ABANDONED (its files deleted by the sweep).
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from contacts.models import Contact, ContactEmail, ContactPhone, Tag
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

# Uploaded files are kept this long when the import is not committed (see `sweep`).
KEEP_UPLOADS = timedelta(hours=24)


class ImportQuerySet(models.QuerySet["Import"]):
    def for_owner(self, user: object) -> Self:
        return self.filter(owner=user)


class ImportStatus(models.TextChoices):
    READING = "reading", _("Reading")
    MAPPING = "mapping", _("Waiting for the columns")
    PREVIEW = "preview", _("Ready to check")
    COMMITTED = "committed", _("Imported")
    UNDONE = "undone", _("Undone")
    FAILED = "failed", _("Could not be read")
    ABANDONED = "abandoned", _("Not imported")


class Import(models.Model):
    Status = ImportStatus

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imports")
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.READING
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # The reading task's claim (imports.pipeline.claim) and lease: a task lost with its worker
    # or the broker is enqueued again by the sweep once the lease is over.
    reading_since = models.DateTimeField(null=True, blank=True)
    reading_token = models.CharField(max_length=32, blank=True)
    committed_at = models.DateTimeField(_("imported"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_expected = models.PositiveIntegerField(default=0)
    # LinkedIn's data export: whose messages these are (confirmed in the preview), and whether
    # their text becomes the touches' notes (off unless the user ticks it).
    account_holder = models.CharField(max_length=300, blank=True)
    keep_message_text = models.BooleanField(_("keep the message text as the touch's note"), default=False)
    # A whole file refused: {"file", "line", "reason"}; nothing of the import is written.
    failure = models.JSONField(null=True, blank=True)
    # What reading, and then committing, counted (see imports.pipeline.Report).
    report = models.JSONField(default=dict, blank=True)

    objects: ClassVar[ImportQuerySet] = ImportQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="import_owner_created"),
            # the sweep: uploads still waiting (to re-read, or to drop after a day)
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["reading", "mapping", "preview"]),
                name="import_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="import_status_valid"),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("imports:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.READING, self.Status.MAPPING, self.Status.PREVIEW)

    @property
    def progress_percent(self) -> int:
        if self.rows_expected <= 0:
            return 0
        return min(99, round(100 * self.rows_read / self.rows_expected))


class ImportFile(models.Model):
    """An uploaded file, kept in the database (in chunks, imports.storage) so the web and the
    worker need no shared disk; deleted once the import is committed or abandoned."""

    upload = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    # A CSV of no known layout: its header and the fields chosen for its columns.
    headers = models.JSONField(null=True, blank=True)
    mapping = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ImportFileChunk(models.Model):
    """A piece of an uploaded file, in order: the file is written and read a chunk at a time,
    so neither the web nor the worker holds it whole."""

    file = models.ForeignKey(ImportFile, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="importfilechunk_one_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.file_id}#{self.number}"


class ColumnMapping(models.Model):
    """The columns a user chose for a CSV layout, offered again for the same header."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    header_key = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    fields = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("owner", "header_key", name="columnmapping_one_per_header"),
        ]

    def __str__(self) -> str:
        return self.header_key


class RowStatus(models.TextChoices):
    NEW = "new", _("New")
    MATCH = "match", _("Already there")
    DUPLICATE = "duplicate", _("Twice in the upload")
    ERROR = "error", _("Could not be read")


class ImportRow(models.Model):
    """One person read from a file (or a row that could not be read), and what committing it
    would do: create a contact, or bring new details to the contact it matches."""

    upload = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="rows")
    file = models.CharField(max_length=255)
    line = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=RowStatus.choices, default=RowStatus.NEW)
    # imports.sources.records.Person.to_json(), or {"reason": ...} for an error
    data = models.JSONField()
    # For MATCH: the contact; why it matched ("email", "phone", "profile", "name").
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    evidence = models.CharField(max_length=20, blank=True)
    # For DUPLICATE: the row of the upload it is folded into.
    folded_into = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="folded"
    )
    # What committing changes on the matched contact: {"field": [now, imported]} for a field
    # both have with different values (the user picks), additions listed in `adds`.
    conflicts = models.JSONField(default=dict, blank=True)
    adds = models.JSONField(default=dict, blank=True)
    # {"field": "imported"} where the user picked the imported value of a conflict.
    choices = models.JSONField(default=dict, blank=True)
    included = models.BooleanField(default=True)
    # LinkedIn messages: how many touches committing would log for this person.
    touches = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["upload", "status"], name="importrow_upload_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RowStatus.values), name="importrow_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def name(self) -> str:
        return f"{self.data.get('first_name', '')} {self.data.get('last_name', '')}".strip()


class ImportKey(models.Model):
    """A piece of a person's evidence in an upload (an e-mail, a phone, a profile, the folded
    name, the birthday), pointing at the person's first row: imports.folding's index, kept in
    the database so that folding a large file holds one chunk in memory."""

    upload = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(ImportRow, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    value = models.CharField(max_length=300)

    class Meta:
        indexes = [models.Index(fields=["upload", "kind", "value"], name="importkey_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class StagedTouch(models.Model):
    """A touch reading found (one per counterpart and local day of LinkedIn messages), logged
    through the ledger on commit."""

    row = models.ForeignKey(ImportRow, on_delete=models.CASCADE, related_name="staged_touches")
    happened_at = models.DateTimeField()
    initiated_by = models.CharField(max_length=4)
    note = models.TextField(blank=True)
    # a message, or a mass mail on a day when only a message to many came (it never counts)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MESSAGE)

    class Meta:
        ordering = ["happened_at", "pk"]

    def __str__(self) -> str:
        return f"{self.row_id} @ {self.happened_at:%Y-%m-%d}"


class ImportedContact(models.Model):
    """What a commit did to one contact, so undo can take it back: created it, or changed it
    (with the values before) and added e-mails, phones, tags and touches."""

    upload = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="changes")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    created = models.BooleanField()
    # For a contact changed: its fields before and right after the commit. Undo restores a
    # field only where it still holds the value the import wrote (a later edit is kept).
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    emails = models.ManyToManyField(ContactEmail, related_name="+", blank=True)
    phones = models.ManyToManyField(ContactPhone, related_name="+", blank=True)
    tags = models.ManyToManyField(Tag, related_name="+", blank=True)
    touches = models.ManyToManyField(Touchpoint, related_name="+", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("upload", "contact", name="importedcontact_once_per_import"),
        ]

    def __str__(self) -> str:
        return f"{self.upload_id}: {self.contact_id}"


class ImportedTag(models.Model):
    """A tag the import created (a label of the file), removed by undo when nothing else uses it."""

    upload = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="created_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return str(self.tag_id)


# What a merge keeps of the contact it deletes (imports.merge.snapshot writes these keys), and how
# the survivor's page labels them.
MERGED_VALUE_LABELS: dict[str, StrOrPromise] = {
    "first_name": _("first name"),
    "last_name": _("last name"),
    "company": _("company"),
    "position": _("position"),
    "emails": _("e-mail"),
    "phones": _("phone"),
    "birthday": _("birthday"),
    "how_met": _("how we met"),
    "met_at": _("met at"),
    "introduced_by": _("introduced by"),
    "circle": _("circle"),
    "stage": _("stage"),
    "prospect_status": _("prospect status"),
    "tags": _("tags"),
    "organisations": _("member of"),
    "linkedin_url": "LinkedIn",
    "xing_url": "XING",
    "facebook_url": "Facebook",
    "x_url": "X",
    "instagram_url": "Instagram",
    "website": _("website"),
    "notes": _("notes"),
}


class MergedContact(models.Model):
    """A contact merged into another (imports.merge): its name and values as they were, kept in
    the survivor's history ("merged with Max Mustermann (max@…) on …")."""

    survivor = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges")
    name = models.CharField(max_length=201)
    # MERGED_VALUE_LABELS' keys, each a text or a list of texts; "created_at" in ISO form.
    values = models.JSONField(default=dict, blank=True)
    merged_at = models.DateTimeField()

    class Meta:
        verbose_name = _("merged contact")
        verbose_name_plural = _("merged contacts")
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} → {self.survivor_id}"

    @property
    def first_email(self) -> str:
        emails = self.values.get("emails") or []
        return str(emails[0]) if emails else ""

    def shown_values(self) -> list[tuple[StrOrPromise, str]]:
        """The kept values worth showing, labelled, in the order of MERGED_VALUE_LABELS."""
        shown = []
        for key, label in MERGED_VALUE_LABELS.items():
            value = self.values.get(key)
            if isinstance(value, list):
                value = ", ".join(str(item) for item in value)
            if value:
                shown.append((label, str(value)))
        return shown
