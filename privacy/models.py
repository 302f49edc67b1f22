from __future__ import annotations

from django.db import models
from django.utils import timezone


class Erasure(models.Model):
    """An erased account, as the deletion ledger keeps it: the account's id and the moment.

    Nothing personal: no address, no name. The id is enough, because a restored dump brings an
    account back under its old primary key; and it identifies nobody once the account's rows are
    gone (a hash of it, as docs once proposed, would hide nothing: the ids are a short sequence
    anyone can hash). An id can be handed out again after a restore rewinds the sequence, so the
    ledger erases an account only if it joined before the erasure (privacy.erasure.reapply): a
    newcomer who got an erased account's id joined after it.

    Kept for good: it is what makes a deletion outlive a restore of an older backup.
    """

    user_pk = models.BigIntegerField()
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The ledger is copied between the database and its file (privacy.ledger.sync): the
            # same erasure is one row however often it is copied. Its index also serves
            # reapply's lookup by account id.
            models.UniqueConstraint(fields=["user_pk", "erased_at"], name="privacy_erasure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_pk} ({self.erased_at.isoformat()})"
