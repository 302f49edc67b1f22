"""`make bench` seeds thousands of users and sends their digests: never on a database not meant for it."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from netzwerk.accounts.models import User


@pytest.mark.django_db
def test_the_bench_refuses_a_database_whose_name_lacks_bench() -> None:
    with pytest.raises(CommandError, match="not a bench database"):
        call_command("bench")

    assert not User.objects.exists()
