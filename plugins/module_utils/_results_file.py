# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Per-device results written as JSON Lines to a file on the managed host (`device_results_dest`), page by page.

The rows go to a temporary file beside the destination, renamed over it only when every page was read, so a failed
run never leaves a half file where a previous good one was. Memory stays flat: one row is held at a time (the client
holds one page). Only counts come back into the module result.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError, ValidationError

DEST_OPTION = "device_results_dest"
MODE_OPTION = "device_results_mode"
# Device ids and error texts are nobody else's business by default; mkstemp creates files 0600 whatever the umask.
DEFAULT_MODE = 0o600
# One encoder for every row: json.dumps with options builds a new encoder per call, a third of the time of a row.
_ENCODE_ROW = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def parse_mode(value):
    """device_results_mode: an octal string ("0640", "640") or an int (YAML 0640 is already 416); None -> 0600."""
    if value is None:
        return DEFAULT_MODE
    if isinstance(value, int) and not isinstance(value, bool):
        mode = value
    elif isinstance(value, str) and value.strip() and all(char in "01234567" for char in value.strip()):
        mode = int(value.strip(), 8)
    else:
        mode = -1
    if not 0 <= mode <= 0o7777:
        raise ValidationError("%s must be an octal file mode such as '0640', got %r" % (MODE_OPTION, value))
    return mode


def check_dest(dest, include_option, included):
    """The absolute destination path after every check that needs no call (see the module documentation)."""
    if not included:
        raise ValidationError("%s writes the device results: set %s: true" % (DEST_OPTION, include_option))
    path = os.path.expanduser(dest)
    if not os.path.isabs(path):
        raise ValidationError("%s must be an absolute path on the managed host, got %r" % (DEST_OPTION, dest))
    if os.path.isdir(path):
        raise ValidationError("%s %r is a directory: give the path of a file" % (DEST_OPTION, dest))
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise ValidationError("%s %r: the directory %r does not exist" % (DEST_OPTION, dest, directory))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ValidationError("%s %r: the directory %r is not writable" % (DEST_OPTION, dest, directory))
    return path


class JsonLinesFile(object):
    """One JSON object a line; `write(rows)` per job returns that job's counts; `commit()` renames into place.

    With write=False (check mode) the rows are read and counted and nothing is written.
    """

    def __init__(self, path, mode=DEFAULT_MODE, write=True):
        self.path = path
        self.mode = mode
        self.written = False
        self.rows = 0
        self.by_status = {}
        self._handle = None
        self._temp = None
        if write:
            directory, name = os.path.split(path)
            try:
                descriptor, self._temp = tempfile.mkstemp(prefix=".%s." % name, suffix=".tmp", dir=directory)
            except OSError as err:
                raise self._failure(err) from err
            self._handle = os.fdopen(descriptor, "w", encoding="utf-8")

    def _failure(self, err):
        return CollectionError("cannot write %s %r: %s" % (DEST_OPTION, self.path, err.strerror or err))

    def write(self, rows):
        """Write (or only count) `rows`, an iterator of dicts with a "status"; {"rows", "by_status"} of these."""
        counts = {"rows": 0, "by_status": {}}
        for row in rows:
            if self._handle is not None:
                try:
                    self._handle.write(_ENCODE_ROW(row) + "\n")
                except OSError as err:  # a full disk
                    raise self._failure(err) from err
            status = row.get("status")
            counts["rows"] += 1
            counts["by_status"][status] = counts["by_status"].get(status, 0) + 1
        self.rows += counts["rows"]
        for status, count in counts["by_status"].items():
            self.by_status[status] = self.by_status.get(status, 0) + count
        return counts

    def commit(self):
        if self._handle is None:
            return
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None
            os.chmod(self._temp, stat.S_IMODE(self.mode))
            os.replace(self._temp, self.path)
        except OSError as err:
            self.discard()
            raise self._failure(err) from err
        self._temp = None
        self.written = True

    def discard(self):
        """Drop the temporary file (a failed run); the destination keeps what it had."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._temp is not None:
            try:
                os.unlink(self._temp)
            except OSError:
                pass
            self._temp = None

    def summary(self):
        return {"path": self.path, "rows": self.rows, "by_status": dict(self.by_status), "written": self.written}

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.commit()
        else:
            self.discard()
        return False


def check_options(params, include_option):
    """(path, mode) of device_results_dest and device_results_mode, or None without a destination; every check
    runs here, before any call."""
    if params.get(DEST_OPTION) is None:
        if params.get(MODE_OPTION) is not None:
            raise ValidationError("%s applies to the file of %s: set %s" % (MODE_OPTION, DEST_OPTION, DEST_OPTION))
        return None
    return check_dest(params[DEST_OPTION], include_option, params[include_option]), parse_mode(params[MODE_OPTION])


def read_into_file(dest, check_mode, read):
    """`read(results_file)` with the file of `dest` ((path, mode) from check_options, or None: results_file is None)
    open, committed when it returns; (what read returned, the file's summary or None)."""
    if dest is None:
        return read(None), None
    results_file = JsonLinesFile(*dest, write=not check_mode)
    with results_file:
        value = read(results_file)
    return value, results_file.summary()
