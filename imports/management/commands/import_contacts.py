"""`python manage.py import_contacts --user EMAIL [--commit] FILE...`, or `--undo ID`.

The web's pipeline in-process: without --commit it reads and matches, prints the preview and
writes nothing (everything runs in a transaction that is rolled back). A CSV of no known layout
is read with the columns remembered for its header, or else those suggested from it (printed).
The last line of the output is one JSON object; a refused file is a non-zero exit, never a
traceback.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from imports import commit, pipeline, reading, undo
from imports.models import Import
from netzwerk.accounts.models import User


class _Preview(Exception):
    """Raised to roll the preview's transaction back."""


class Command(BaseCommand):
    help = "Import contact files (vCard, CSV, LinkedIn data ZIP) for a user: preview, commit or undo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help=".vcf, .csv or .zip files")
        parser.add_argument("--user", required=True, help="the e-mail address of the account")
        parser.add_argument("--commit", action="store_true", help="write the import (else: preview only)")
        parser.add_argument("--keep-message-text", action="store_true", help="LinkedIn messages as notes")
        parser.add_argument("--undo", type=int, metavar="ID", help="take the import with this id back")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"]).first()
        if user is None:
            raise CommandError(f"no account with the address {options['user']}")
        if options["undo"] is not None:
            self._undo(user, options["undo"])
            return
        if not options["files"]:
            raise CommandError("name at least one file")
        with ExitStack() as opened:
            files = [(Path(name).name, opened.enter_context(self._open(name))) for name in options["files"]]
            try:
                with transaction.atomic():
                    summary = self._import(user, files, options)
                    if not options["commit"]:
                        raise _Preview
            except _Preview:
                pass
        self._print(summary)

    def _open(self, name: str) -> IO[bytes]:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file")
        return path.open("rb")

    def _import(
        self, user: User, files: list[tuple[str, IO[bytes]]], options: dict[str, Any]
    ) -> dict[str, Any]:
        now = timezone.now()
        try:
            upload = pipeline.start(user, files, now=now, enqueue=lambda pk: None)
        except pipeline.UploadRefused as refused:
            raise CommandError(f"{refused.file or 'upload'}: refused ({refused.reason})") from refused
        upload = reading.read(upload)
        if upload.status == Import.Status.MAPPING:
            suggested = upload.report.get("suggested", {})
            chosen = {f.pk: suggested.get(f.name, []) for f in upload.files.filter(headers__isnull=False)}
            self.stdout.write(f"columns chosen from the header: {json.dumps(suggested, ensure_ascii=False)}")
            upload = reading.read(pipeline.choose_columns(upload, chosen, now=now, enqueue=lambda pk: None))
        if upload.status == Import.Status.FAILED:
            failure = upload.failure or {}
            raise CommandError(f"{failure.get('file')}:{failure.get('line') or '-'}: {failure.get('reason')}")
        if options["keep_message_text"]:
            upload.keep_message_text = True
            upload.save(update_fields=["keep_message_text"])
        summary = pipeline.report(upload).to_json()
        if upload.account_holder:
            summary["account_holder"] = upload.account_holder
        if options["commit"]:
            commit.commit(upload.pk, now=now)
            summary["import_id"] = upload.pk
        return summary

    def _undo(self, user: User, upload_pk: int) -> None:
        if not Import.objects.filter(owner=user, pk=upload_pk).exists():
            raise CommandError(f"{user.email} has no import {upload_pk}")
        try:
            result = undo.undo(upload_pk, now=timezone.now())
        except undo.NotUndoable as refused:
            raise CommandError(f"import {upload_pk} cannot be undone ({refused})") from refused
        self.stdout.write(f"undone: {result.deleted} contacts deleted, {result.restored} restored")
        if result.kept:
            self.stdout.write(f"kept (touched since the import): {len(result.kept)}")
        self.stdout.write(json.dumps({"undone": upload_pk, **vars(result)}))

    def _print(self, summary: dict[str, Any]) -> None:
        lines = [
            f"new: {summary['new']}",
            f"matched: {summary['matched']} ({summary['changed']} with changes, {summary['conflicts']} with conflicts)",
            f"folded duplicates in the upload: {summary['duplicates_in_upload']}",
            f"message touches: {summary['touches']} (people not among the connections: {summary['skipped_messages']})",
            f"rows not read: {len(summary['errors'])}",
        ]
        lines += [f"  {e['file']}:{e['line'] or '-'}: {e['reason']}" for e in summary["errors"][:20]]
        if "account_holder" in summary:
            lines.append(f"LinkedIn account: {summary['account_holder']}")
        lines.append(
            f"committed as import {summary['import_id']}"
            if "import_id" in summary
            else "preview only: nothing written"
        )
        self.stdout.write("\n".join(lines))
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
