"""Uploaded files in chunks (imports.storage): the stored files' contents moved into them."""

import django.db.models.deletion
from django.db import migrations, models

CHUNK = 512 * 1024  # imports.storage.CHUNK when this was written


def to_chunks(apps, schema_editor):
    ImportFile = apps.get_model("imports", "ImportFile")
    ImportFileChunk = apps.get_model("imports", "ImportFileChunk")
    for pk in ImportFile.objects.values_list("pk", flat=True):
        content = bytes(ImportFile.objects.values_list("content", flat=True).get(pk=pk))
        ImportFileChunk.objects.bulk_create(
            ImportFileChunk(file_id=pk, number=number, data=content[start : start + CHUNK])
            for number, start in enumerate(range(0, len(content), CHUNK))
        )


def from_chunks(apps, schema_editor):
    ImportFile = apps.get_model("imports", "ImportFile")
    ImportFileChunk = apps.get_model("imports", "ImportFileChunk")
    for upload_file in ImportFile.objects.all():
        chunks = ImportFileChunk.objects.filter(file=upload_file).order_by("number")
        upload_file.content = b"".join(bytes(data) for data in chunks.values_list("data", flat=True))
        upload_file.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportFileChunk",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField()),
                ("data", models.BinaryField()),
                (
                    "file",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="chunks", to="imports.importfile"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("file", "number"), name="importfilechunk_one_per_number")
                ],
            },
        ),
        migrations.RunPython(to_chunks, from_chunks),
        # a default, so that taking this back can add the column to rows and fill it
        migrations.AlterField(model_name="importfile", name="content", field=models.BinaryField(default=b"")),
        migrations.RemoveField(model_name="importfile", name="content"),
    ]
