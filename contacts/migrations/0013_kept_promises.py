"""R3: each contact's kept promises, counted next to its open ones (touchpoints.summary).

The coach overview adds them up per client instead of counting every client's promises among
all touches on each request. Filled here from the touches, as `refresh_summaries` would; the
ledger keeps it in step from now on. Only contacts with a kept promise are written.
"""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Q, Subquery


def count_kept(apps, schema_editor):
    contact = apps.get_model("contacts", "Contact")
    touchpoint = apps.get_model("touchpoints", "Touchpoint")
    kept = touchpoint.objects.filter(~Q(promise=""), promise_kept_at__isnull=False)
    counts = (
        kept.filter(contact_id=OuterRef("pk"))
        .order_by()
        .values("contact_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    contact.objects.filter(pk__in=kept.values("contact_id")).update(kept_promises=Subquery(counts))


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0012_due_references"),
        ("touchpoints", "0004_one_off_reminder"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="kept_promises",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="kept promises"),
        ),
        migrations.RunPython(count_kept, migrations.RunPython.noop),
    ]
