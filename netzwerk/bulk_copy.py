"""Many rows written at once with PostgreSQL's COPY: for the demo and bench seed only.

Why COPY: the bench seeds about 210,000 contacts with 1.7 million touches, e-mails, phones and
tags. `bulk_create` and `bulk_update` build each statement through Django's expressions, a
parameter (and for `bulk_update` a CASE branch) per value; on this data set that was most of the
seed's 21 minutes. COPY streams the rows as text and the table takes them in one pass; an update
goes through a temporary table and one set-based UPDATE. Where the database is not PostgreSQL
(SQLite in development) the same calls fall back to `bulk_create` and `bulk_update`, with the
same result.

Nothing here runs for a request: the writers skip `save` and signals, as `bulk_create` does, so
the callers fill what `save` would (the contacts' folded keys, `fill_keys`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone

BATCH_SIZE = 1000  # the fallback's, as bulk_create's elsewhere in the seed
COPY_ROWS = 50_000  # rows per COPY statement: a few megabytes of text at a time


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


def create(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """`bulk_create` for new instances, each given its primary key (from the table's sequence,
    in the order of `objects`) as `bulk_create` gives it on PostgreSQL. Foreign keys to
    instances saved earlier, or in this same call, are resolved (deferred constraints)."""
    if not objects:
        return
    meta = model._meta
    related = [field for field in meta.concrete_fields if isinstance(field, models.ForeignKey)]
    if not uses_copy():
        _create_in_order(model, objects, related)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for instance, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            instance.pk = pk
    fields = [field for field in meta.concrete_fields if not field.generated]  # the database's own
    for instance in objects:
        for field in related:  # `bulk_create` does the same (`_prepare_related_fields_for_save`)
            if getattr(instance, field.attname) is None and field.is_cached(instance):
                setattr(instance, field.attname, getattr(instance, field.name).pk)
        instance._state.adding, instance._state.db = False, connection.alias
    # The values as `save` would give them (`pre_save`: the timestamps); `_text` takes the Python
    # types of these models' fields and refuses any other (none needs `get_db_prep_save`).
    rows = ([field.pre_save(instance, True) for field in fields] for instance in objects)
    copy_rows(meta.db_table, [_column(field) for field in fields], rows)


def _create_in_order(model: type[models.Model], objects: Sequence[models.Model], related: list[Any]) -> None:
    """The fallback: `bulk_create` in runs, a new run where an object refers to one of the
    current run (saved first, so it has its key): the keys keep the order of `objects`."""
    run: list[models.Model] = []
    in_run: set[int] = set()  # id() of the run's objects: unsaved instances compare by identity
    for instance in objects:
        targets = (getattr(instance, field.name) for field in related if field.is_cached(instance))
        if any(id(target) in in_run for target in targets if target is not None):
            model._default_manager.bulk_create(run, batch_size=BATCH_SIZE)
            run, in_run = [], set()
        run.append(instance)
        in_run.add(id(instance))
    model._default_manager.bulk_create(run, batch_size=BATCH_SIZE)


def insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """New rows of `model` without making an instance of each: `fields` are attribute names
    (`contact_id`), every other column but the key gets its field's default, computed once
    (`now` for the timestamps). The keys come from the table; nobody learns them."""
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    rest = [
        field
        for field in meta.concrete_fields
        if not (field.primary_key or field.generated) and field not in given
    ]
    if not uses_copy():
        instances = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(instances, batch_size=BATCH_SIZE)
        return
    now = timezone.now()
    defaults = tuple(
        now
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else field.get_default()
        for field in rest
    )
    columns = [_column(field) for field in (*given, *rest)]
    copy_rows(meta.db_table, columns, ((*row, *defaults) for row in rows))


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY `rows` (Python values: str, int, bool, date, aware datetime or None) into `table`."""
    statement = f"COPY {_quote(table)} ({', '.join(_quote(column) for column in columns)}) FROM STDIN"
    written = 0
    buffer = io.StringIO()
    count = 0
    with connection.cursor() as cursor:
        for row in rows:
            buffer.write("\t".join([_text(value) for value in row]))
            buffer.write("\n")
            count += 1
            if count == COPY_ROWS:
                written += _flush(cursor, statement, buffer, count)
                buffer, count = io.StringIO(), 0
        if count:
            written += _flush(cursor, statement, buffer, count)
    return written


def update(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """`bulk_update` of `fields` from rows `(pk, *values)`: on PostgreSQL one COPY into a
    temporary table and one UPDATE joining it."""
    if not rows:
        return
    meta = model._meta
    if not uses_copy():
        instances = [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows]
        model._default_manager.bulk_update(instances, list(fields), batch_size=BATCH_SIZE)
        return
    columns = [_column(meta.pk), *(_column(meta.get_field(name)) for name in fields)]
    quoted = ", ".join(_quote(column) for column in columns)
    staging = f"{meta.db_table}_bulk_update"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_quote(staging)} ON COMMIT DROP AS "
            f"SELECT {quoted} FROM {_quote(meta.db_table)} WITH NO DATA"
        )
    copy_rows(staging, columns, rows)
    assignments = ", ".join(f"{_quote(column)} = staged.{_quote(column)}" for column in columns[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_quote(meta.db_table)} AS target SET {assignments} FROM {_quote(staging)} AS staged "
            f"WHERE target.{_quote(columns[0])} = staged.{_quote(columns[0])}"
        )
        cursor.execute(f"DROP TABLE {_quote(staging)}")


def _flush(cursor: Any, statement: str, buffer: io.StringIO, count: int) -> int:
    buffer.seek(0)
    cursor.copy_expert(statement, buffer)  # psycopg2's, through Django's cursor wrapper
    return count


def _column(field: Any) -> str:
    return str(field.column)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _text(value: Any) -> str:
    """One value in COPY's text format (backslash, tab and line ends escaped; None is \\N)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be copied: {value!r}")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"no COPY text for {type(value).__name__}: {value!r}")
