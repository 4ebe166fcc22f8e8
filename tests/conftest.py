# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test plumbing shared by every test under tests/.

Makes the checkout importable as ``ansible_collections.azure_iot.jobs`` (plain pytest from the repository root):
when the checkout does not already sit at .../ansible_collections/azure_iot/jobs (as it does under ansible-test),
a temporary ``ansible_collections/azure_iot/jobs`` symlink to it is created once per session.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _collections_root():
    """The directory that holds ansible_collections/azure_iot/jobs for this checkout."""
    parts = _REPO.split(os.sep)
    if parts[-3:-1] == ["ansible_collections", "azure_iot"] and parts[-1] == "jobs":
        return os.sep.join(parts[:-3])
    root = tempfile.mkdtemp(prefix="azure_iot_jobs_unit_")
    atexit.register(shutil.rmtree, root, True)
    os.makedirs(os.path.join(root, "ansible_collections", "azure_iot"))
    os.symlink(_REPO, os.path.join(root, "ansible_collections", "azure_iot", "jobs"))
    return root


def _imports_this_checkout():
    try:
        import ansible_collections.azure_iot.jobs.plugins.module_utils as package
    except ImportError:
        return False
    # A namespace package (no __init__.py): compare its search path, not a __file__.
    wanted = os.path.realpath(os.path.join(_REPO, "plugins", "module_utils"))
    return any(os.path.realpath(path) == wanted for path in package.__path__)


def _make_importable():
    if _imports_this_checkout():
        return
    sys.path.insert(0, _collections_root())
    # Forget an ansible_collections package found elsewhere (or a failed import) so the new path entry is used.
    for name in [n for n in sys.modules if n == "ansible_collections" or n.startswith("ansible_collections.")]:
        del sys.modules[name]
    assert _imports_this_checkout(), "cannot import ansible_collections.azure_iot.jobs from %s" % _REPO


_make_importable()
