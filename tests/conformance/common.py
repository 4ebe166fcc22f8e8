"""Shared by the Python drivers: run named operations, record ok / FAIL, print one JSON line for run.py.

Each driver runs as its own process with the interpreter of the virtualenv that holds its client, the emulator's
variables (env.json) in its environment; TLS trust comes from REQUESTS_CA_BUNDLE only.
"""
import json
import os
import time
import traceback

TERMINAL = ("completed", "failed", "cancelled")


class Recorder:
    def __init__(self, client):
        self.client = client
        self.results = {}
        self.notes = []
        self.env = os.environ

    def op(self, name, fn):
        """Run fn(); it raises on a wrong answer and may return a note."""
        try:
            note = fn()
            self.results[name] = "ok"
            if note:
                self.notes.append("%s: %s" % (name, note))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a table cell
            status = getattr(getattr(exc, "response", None), "status_code", None)
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.results[name] = "FAIL: %s%s" % ("HTTP %s " % status if status else "", text[:160])
            if os.environ.get("CONFORMANCE_DEBUG"):
                traceback.print_exc()

    def report(self):
        print(json.dumps({"client": self.client, "results": self.results, "notes": self.notes}))


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_for(read, is_done, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if is_done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError("%s not done: %r" % (what, value))
        time.sleep(0.1)


def blob_container(name):
    """A blob container URI the emulator maps to <state-dir>/blobs/<name>/ (a SAS sig is required)."""
    return os.environ["EMULATOR_URL"] + "/_emulator/blobs/%s?sig=conformance" % name


def control(method, path, body=None):
    """The emulator's control API (no auth), with the standard library only."""
    import ssl
    import urllib.request
    request = urllib.request.Request(os.environ["EMULATOR_URL"] + "/_emulator/" + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    context = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return json.load(response)
