"""The import's forms: the upload, a CSV's columns, the preview's filter, its actions and the commit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from imports import pipeline
from imports.models import Import, ImportFile, ImportRow, RowStatus
from imports.sources.csvfiles import FIELDS
from imports.sources.limits import MAX_UPLOAD_BYTES

ACCEPT = ".csv,.vcf,.zip"

# What the user sees for each column a CSV can be mapped to (imports.sources.csvfiles.FIELDS).
FIELD_LABELS: dict[str, StrOrPromise] = {
    "": _("— ignore this column —"),
    "first_name": _("First name"),
    "middle_name": _("Middle names"),
    "last_name": _("Last name"),
    "full_name": _("Full name"),
    "nickname": _("Nickname"),
    "company": _("Company"),
    "department": _("Department"),
    "position": _("Position"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "birthday": _("Birthday"),
    "address": _("Address"),
    "linkedin": _("LinkedIn profile"),
    "xing": _("XING profile"),
    "website": _("Website"),
    "notes": _("Notes"),
    "labels": _("Labels (become tags)"),
    "connected_on": _("Connected on"),
}
NAME_FIELDS = frozenset({"first_name", "last_name", "full_name"})


def refusal(refused: pipeline.UploadRefused) -> StrOrPromise:
    """Why an upload was refused, in words (pipeline.check_files' reason codes)."""
    if refused.reason == "too_large":
        return _("These files are larger than %(mb)s MB together. Upload fewer files at once.") % {
            "mb": MAX_UPLOAD_BYTES // 1_000_000
        }
    if refused.reason == "kind":
        return _("“%(file)s” is not a file Netzwerk reads. Choose a .csv, .vcf or .zip file.") % {
            "file": refused.file
        }
    if refused.reason == "empty":
        return _("“%(file)s” is empty.") % {"file": refused.file}
    return _("Choose at least one file.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """The files as a list; what they may be is the pipeline's to say (`UploadForm.clean`)."""

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        if isinstance(data, list | tuple):
            return [item for item in data if item]
        return [data] if data else []


class UploadForm(forms.Form):
    """One or more files; the limits are checked by the pipeline, before anything is stored."""

    uploads = MultipleFileField(
        label=_("Your files"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "class": "dropzone-input"}),
    )

    def clean(self) -> dict[str, Any]:
        uploaded: list[UploadedFile[Any]] = self.cleaned_data.get("uploads") or []
        try:
            pipeline.check_files([(f.name or "", f.size or 0) for f in uploaded])
        except pipeline.UploadRefused as refused:
            self.add_error("uploads", refusal(refused))
        return self.cleaned_data

    def streams(self) -> list[tuple[str, UploadedFile[Any]]]:
        """Each file by its name, as a stream (pipeline.start stores it a chunk at a time)."""
        return [(f.name or "", f) for f in self.cleaned_data["uploads"]]


def field_choices() -> list[tuple[str, StrOrPromise]]:
    return [(name, FIELD_LABELS.get(name, name)) for name in FIELDS]


class ColumnsForm(forms.Form):
    """For each CSV waiting for its columns, a field per column: what the column holds."""

    def __init__(
        self, *args: Any, waiting: Sequence[ImportFile], preset: dict[int, Sequence[str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.waiting = list(waiting)
        for upload_file in self.waiting:
            chosen = list(preset.get(upload_file.pk, ()))
            for index, header in enumerate(upload_file.headers or []):
                self.fields[self._name(upload_file, index)] = forms.ChoiceField(
                    label=header or _("(column without a heading)"),
                    choices=field_choices(),
                    required=False,
                    initial=chosen[index] if index < len(chosen) else "",
                )

    @staticmethod
    def _name(upload_file: ImportFile, index: int) -> str:
        return f"file{upload_file.pk}-col{index}"

    def groups(self) -> Iterator[tuple[ImportFile, list[forms.BoundField]]]:
        """Each waiting file with its columns' fields, for the template."""
        for upload_file in self.waiting:
            names = [self._name(upload_file, i) for i in range(len(upload_file.headers or []))]
            yield upload_file, [self[name] for name in names]

    def chosen(self) -> dict[int, Sequence[str]]:
        return {
            upload_file.pk: [
                self.cleaned_data.get(self._name(upload_file, i), "")
                for i in range(len(upload_file.headers or []))
            ]
            for upload_file in self.waiting
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for upload_file, fields in self.chosen().items():
            if not NAME_FIELDS.intersection(fields):
                name = next(f.name for f in self.waiting if f.pk == upload_file)
                self.add_error(
                    None,
                    _("“%(file)s”: choose the column with the name (first, last or full name).")
                    % {"file": name},
                )
        return cleaned


# The preview's filter: which rows to show.
SHOWN: list[tuple[str, StrOrPromise]] = [
    ("", _("All")),
    ("new", _("New")),
    ("match", _("Already there")),
    ("changed", _("With changes")),
    ("duplicate", _("Duplicates")),
    ("error", _("Not read")),
    ("left_out", _("Left out")),
]
_SHOWN_ROWS: dict[str, Q] = {
    "new": Q(status=RowStatus.NEW),
    "match": Q(status=RowStatus.MATCH),
    "changed": Q(status=RowStatus.MATCH) & (~Q(adds={}) | ~Q(conflicts={})),
    "duplicate": Q(status=RowStatus.DUPLICATE),
    "error": Q(status=RowStatus.ERROR),
    "left_out": Q(included=False) & ~Q(status=RowStatus.ERROR),
}


class RowFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("Show"), choices=SHOWN, required=False)

    def apply(self, rows: QuerySet[ImportRow]) -> QuerySet[ImportRow]:
        shown = self.cleaned_data.get("show", "") if self.is_valid() else ""
        return rows.filter(_SHOWN_ROWS[shown]) if shown else rows

    def shown(self) -> str:
        return str(self.cleaned_data.get("show", "")) if self.is_valid() else ""


class IncludeForm(forms.Form):
    """Leave one row out of the import, or take it back in."""

    row = forms.IntegerField(min_value=1)
    included = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


class PickForm(forms.Form):
    """For one conflict of a matched row: keep the contact's value or take the file's."""

    row = forms.IntegerField(min_value=1)
    field = forms.CharField(max_length=50)
    choice = forms.ChoiceField(choices=[("current", "current"), ("imported", "imported")])


class CommitForm(forms.Form):
    """LinkedIn's export: is this the user's own profile, and do the messages' texts come along?"""

    holder_confirmed = forms.ChoiceField(
        label=_("Whose messages are these?"),
        choices=[
            ("yes", _("Yes, this is my profile: log the messages as touches")),
            ("no", _("No: import the contacts without the messages")),
        ],
        widget=forms.RadioSelect,
        required=True,
        error_messages={
            "required": _(
                "Say whether this is your profile: the messages of someone else's would be "
                "counted the wrong way round."
            )
        },
    )
    keep_message_text = forms.BooleanField(
        label=_("Keep the message text as the touch's note"),
        required=False,
        help_text=_("Off: the touches record only when you wrote to each other, not what."),
    )

    def __init__(self, *args: Any, upload: Import, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not upload.account_holder:
            del self.fields["holder_confirmed"]
            del self.fields["keep_message_text"]
