"""The folded name and search text (Contact.fill_keys), filled in for the contacts there are."""

from django.conf import settings
from django.db import migrations, models

from contacts.folding import fold_loose

BATCH = 1000


def fill_keys(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    batch = []
    for contact in Contact.objects.only("first_name", "last_name", "company", "position").iterator(BATCH):
        contact.name_key = fold_loose(f"{contact.first_name} {contact.last_name}")[:250]
        contact.search_text = fold_loose(
            " ".join([contact.first_name, contact.last_name, contact.company, contact.position])
        )
        batch.append(contact)
        if len(batch) == BATCH:
            Contact.objects.bulk_update(batch, ["name_key", "search_text"])
            batch = []
    Contact.objects.bulk_update(batch, ["name_key", "search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0005_sorting"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="name_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=250),
        ),
        migrations.AddField(
            model_name="contact",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["owner", "name_key"], name="contact_owner_name_key"),
        ),
    ]
