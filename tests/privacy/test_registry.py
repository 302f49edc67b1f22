"""The export's registry names every model that holds a user's data, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist

from privacy import registry
from tests.privacy.schema import paths_to

ROOT = Path(__file__).resolve().parents[2]


def test_it_exports_or_excludes_every_model_with_a_path_to_the_user() -> None:
    personal = set(paths_to(get_user_model()))
    named = set(registry.EXPORTED) | set(registry.EXPORT_EXCLUDED)

    unnamed = sorted(personal - named)

    assert unnamed == [], (
        f"add these to privacy.registry.EXPORTED or EXPORT_EXCLUDED (with a reason): {unnamed}"
    )
    # the walk finds what it must: direct, transitive and many-to-many rows
    assert {
        "accounts.User",
        "contacts.ContactEmail",
        "contacts.Contact_tags",
        "reminders.ReminderState",
    } <= personal


def test_it_names_each_model_once() -> None:
    assert set(registry.EXPORTED) & set(registry.EXPORT_EXCLUDED) == set()
    assert all(reason.strip() for reason in registry.EXPORT_EXCLUDED.values())
    assert all(reason.strip() for reason in registry.ERASURE_KEPT.values())


def test_it_names_only_models_that_exist() -> None:
    """A typo or a removed model fails; a model of an app not installed here may wait (MFA)."""
    installed_apps = {config.label for config in apps.get_app_configs()}
    installed = {model._meta.label for model in apps.get_models(include_auto_created=True)}
    named = [*registry.EXPORTED, *registry.EXPORT_EXCLUDED, *registry.ERASURE_KEPT, *registry.EXCLUDED_FIELDS]

    stale = [label for label in named if label not in installed and label.split(".")[0] in installed_apps]

    assert stale == []
    assert set(registry.EXPORTED) <= installed


def test_its_lookups_lead_to_the_user() -> None:
    user_model = get_user_model()
    for label, lookups in registry.EXPORTED.items():
        for lookup in (lookups,) if isinstance(lookups, str) else lookups:
            model = apps.get_model(label)
            if lookup == "pk":
                assert model is user_model, label
                continue
            for name in lookup.split("__"):
                model = model._meta.get_field(name).related_model
            assert model is user_model, f"{label}: {lookup} leads to {model}"


def test_it_leaves_out_fields_that_exist() -> None:
    for label, fields in registry.EXCLUDED_FIELDS.items():
        for name in fields:
            try:
                apps.get_model(label)._meta.get_field(name)
            except FieldDoesNotExist as error:
                raise AssertionError(f"{label} has no field {name}") from error
        assert not set(fields) & set(registry.exported_fields(label))


def test_it_is_imported_by_no_other_app() -> None:
    """privacy may import every app; no app imports privacy (settings and urls name it as text)."""
    importing = re.compile(r"^\s*(from|import)\s+privacy\b", re.MULTILINE)
    tops = [top for top in ROOT.iterdir() if top.is_dir() and top.name not in {"privacy", "tests", "data"}]
    sources = [path for top in tops if not top.name.startswith(".") for path in top.rglob("*.py")]

    offenders = [str(path.relative_to(ROOT)) for path in sources if importing.search(path.read_text())]

    assert any(path.relative_to(ROOT).parts[0] == "reminders" for path in sources)
    assert offenders == []
