"""The contact's timeline index carries each touch's kind, so the coach overview's weekly mix
(touchpoints/mix.py) is counted from the index without reading the touches. The new index is
built before the old one goes, so the timeline is never without one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("touchpoints", "0004_one_off_reminder"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="touchpoint",
            index=models.Index(fields=["contact", "-happened_at", "kind"], name="touchpoint_contact_when_kind"),
        ),
        migrations.RemoveIndex(
            model_name="touchpoint",
            name="touchpoint_contact_when",
        ),
    ]
