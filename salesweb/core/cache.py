"""Results computed from the data, kept by a worker until the data changes.

Every committed write to the business tables moves the data generation (database triggers; see
migrations/0016_data_generation.py). A result is kept under the generation it was computed at, with the key
of what it was computed from, so a read after any write computes afresh: nothing stale is ever served. What
passing time changes (today, overdue, stale since) belongs in the key too."""
import threading
import weakref
from collections import OrderedDict

_stores = weakref.WeakSet()


class Results:
    """A bounded store, least recently used first out; safe to share between a worker's threads."""

    def __init__(self, limit=512, max_bytes=32 * 1024 * 1024):
        self.limit, self.max_bytes = limit, max_bytes
        self._items = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        _stores.add(self)

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return item[0]
            return None

    def put(self, key, value, size=1024):
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.limit or self._bytes > self.max_bytes:
                _key, (_value, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self):
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self):
        return len(self._items)


def clear_all():
    """Forget every kept result in this process (tests count a page's queries as its first view's)."""
    for store in list(_stores):
        store.clear()
