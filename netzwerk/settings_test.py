"""Test settings: the real settings, with fast hashing, in-memory mail and a per-test cache."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-for-the-test-suite-only-0123456789abcdef")

from netzwerk.settings import *  # noqa: F403
from netzwerk.settings import DATA_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Rate-limit state must not leak between tests; the shared caches are tested on their own.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: a Celery worker started by a test opens the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-netzwerk.sqlite3")}
# Erasures in tests must never reach a real deletion ledger: reapplied to a developer's database,
# a test's erased ids would erase real accounts. (tests/privacy gives each test its own file.)
ERASURE_LEDGER_PATH = DATA_DIR / "test-ledger" / "erasures.jsonl"
