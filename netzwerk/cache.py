"""Dropping cache entries by the start of their key, where the cache can list its keys."""

from __future__ import annotations

import re

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router


def delete_prefixed(prefix: str, *, store: BaseCache | None = None) -> int | None:
    """Delete every entry whose key starts with `prefix`, and say how many.

    Redis is scanned by pattern (writes all go to its first server, which the scan reads), the
    database cache is one DELETE. Other backends (local memory, memcached) cannot list their keys:
    None, and the entries live until their timeout.
    """
    store = store or caches[DEFAULT_CACHE_ALIAS]
    stored = store.make_key(prefix)  # as the backend stores it, with KEY_PREFIX and VERSION
    if isinstance(store, RedisCache):
        client = store._cache.get_client(write=True)
        keys = list(client.scan_iter(match=re.sub(r"([*?\[\]\\])", r"\\\1", stored) + "*", count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    if isinstance(store, BaseDatabaseCache):
        connection = connections[router.db_for_write(store.cache_model_class)]
        table = connection.ops.quote_name(store.cache_model_class._meta.db_table)
        pattern = re.sub(r"([%_\\])", r"\\\1", stored) + "%"
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE cache_key LIKE %s ESCAPE '\\'", [pattern])
            return int(cursor.rowcount)
    return None
