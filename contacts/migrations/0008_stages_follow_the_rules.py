"""R1, R2, R5: the contacts there are brought in line with the tightened rules.

Every move of a stage gets a StageChange with the cause "brought in line" (dated when the
migration runs), so the contact's history says why its stage moved.

1. Met at an event, a club or a fair but still at "online contact": "met in person" (R1: only
   an online origin makes a contact online-only).
2. A strong tie still at "online contact", first met online (LinkedIn, XING, Facebook, X,
   e-mail) and without a single personal touch logged: this is the loophole R5 closes (trust
   grows from meeting; a connection cannot be declared a strong tie). It leaves the strong ties
   for the regular circle and keeps its stage: nothing about it moved, so there is no stage entry,
   and as an online-only contact it now appears in the backlog that asks for the first meeting
   (promoting it again is one click once that meeting is logged).
   Any other strong tie at "online contact" was met: it has a personal touch logged, or it was
   not first met online and its stage is only the form's old default ("online contact"). A user
   who made them strong ties meant it; they stay and take step 3.
3. A strong tie at any stage but "strong tie": "strong tie" (the circle and the stage tell one
   story: contacts.roster).
4. A contact at "strong tie" outside the strong ties (a database constraint forbids it; for
   completeness): "relationship", as leaving the strong ties does.
"""

from django.db import migrations, models
from django.utils import timezone

BATCH = 1000
CAUSE = "brought_in_line"
ONLINE, MET, RELATIONSHIP, STRONG_TIE = "online", "met", "relationship", "strong_tie"
STRONG, REGULAR = "strong", "regular"
ONLINE_ORIGINS = ["linkedin", "xing", "facebook", "x", "email"]
IN_PERSON_ORIGINS = ["event", "club", "trade_fair"]


def bring_in_line(apps, schema_editor):
    contact = apps.get_model("contacts", "Contact")
    stage_change = apps.get_model("contacts", "StageChange")
    now = timezone.now()
    contacts = contact.objects.all()
    _move(stage_change, contacts.filter(stage=ONLINE, how_met__in=IN_PERSON_ORIGINS), MET, now)
    contacts.filter(
        circle=STRONG, stage=ONLINE, how_met__in=ONLINE_ORIGINS, first_personal_touch_at__isnull=True
    ).update(circle=REGULAR, updated_at=now)
    _move(stage_change, contacts.filter(circle=STRONG).exclude(stage=STRONG_TIE), STRONG_TIE, now)
    _move(stage_change, contacts.filter(stage=STRONG_TIE).exclude(circle=STRONG), RELATIONSHIP, now)


def _move(stage_change, contacts, stage, now):
    rows = list(contacts.values_list("pk", "stage"))
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        stage_change.objects.bulk_create(
            stage_change(contact_id=pk, from_stage=old, to_stage=stage, cause=CAUSE, changed_at=now)
            for pk, old in batch
        )
        contacts.model.objects.filter(pk__in=[pk for pk, _ in batch]).update(stage=stage, updated_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_duplicate_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stagechange",
            name="cause",
            field=models.CharField(
                choices=[
                    ("created", "Added"),
                    ("edited", "Changed by you"),
                    ("first_personal_touch", "First personal touch"),
                    ("joined_strong_ties", "Joined the strong ties"),
                    ("demoted", "Left the strong ties"),
                    ("archived", "Archived"),
                    ("brought_in_line", "Brought in line with the method"),
                ],
                max_length=30,
                verbose_name="cause",
            ),
        ),
        migrations.RunPython(bring_in_line, migrations.RunPython.noop),
    ]
