"""The schema's view of whose a row is: every foreign-key path from a model to another.

A path follows concrete many-to-one and one-to-one fields forward, through any models, never
visiting a model twice; many-to-many through tables are models with two foreign keys, so they
are walked like any other. `GenericForeignKey`s (content type and object id) are no path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet


def lookups(
    model: type[Model], target: type[Model], seen: frozenset[type[Model]] = frozenset()
) -> Iterator[str]:
    """The lookups (`contact__owner`) by which rows of `model` lead to a row of `target`."""
    if model is target and not seen:
        yield "pk"
    for field in model._meta.concrete_fields:
        related = field.related_model
        if not (field.many_to_one or field.one_to_one) or not isinstance(related, type):
            continue
        if related is target:
            yield field.name
        elif related not in seen | {model}:
            for rest in lookups(related, target, seen | {model}):
                yield f"{field.name}__{rest}"


def paths_to(target: type[Model]) -> dict[str, list[str]]:
    """Model label -> its lookups to `target`, for every installed model that has one."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if ways := list(lookups(model, target)):
            found[model._meta.label] = ways
    return found


def referring(label: str, ways: list[str], pk: Any) -> QuerySet[Any]:
    match = Q()
    for way in ways:
        match |= Q(**{way: pk})
    # Forward foreign keys only: no join repeats a row.
    return apps.get_model(label)._default_manager.filter(match).order_by("pk")


def rows_referring(target: type[Model], pk: Any) -> dict[str, set[Any]]:
    """Model label -> the pks of its rows that lead to the `target` row `pk` (models without any
    such row left out)."""
    found = {}
    for label, ways in paths_to(target).items():
        if pks := set(referring(label, ways, pk).values_list("pk", flat=True)):
            found[label] = pks
    return found


def snapshot(target: type[Model], pk: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row that leads to the `target` row `pk`, as stored: to compare before and after."""
    return {label: list(referring(label, ways, pk).values()) for label, ways in paths_to(target).items()}
