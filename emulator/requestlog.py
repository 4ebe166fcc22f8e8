"""Requests seen by the emulated APIs: counts per "METHOD /route/{template}" and an ordered log."""
from collections import Counter, deque

UNMATCHED = "<unmatched>"
MAX_ENTRIES = 100000  # the log keeps the newest entries so that a long benchmark run cannot exhaust memory


class RequestLog:
    def __init__(self):
        self.counts = Counter()
        self.entries = deque(maxlen=MAX_ENTRIES)

    def record(self, method, route, path, status):
        key = "%s %s" % (method, route or UNMATCHED)
        self.counts[key] += 1
        self.entries.append({"method": method, "route": route or UNMATCHED, "path": path, "status": status})

    def clear(self):
        self.counts.clear()
        self.entries.clear()
