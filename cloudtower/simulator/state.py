# coding: utf-8
"""State you can keep: the estate as JSON, saved to a file and loaded again.

``sim.export_state()`` gives the whole estate as one JSON-ready dict (a
copy): every row of every table, in id order, with the seed and size it
came from. ``sim.import_state(data)`` replaces the estate with one (the
dict, or its JSON text); ``sim.save_state(path)`` and ``sim.load_state(path)``
do the same through a file. A reloaded estate equals the saved one, table
for table and row for row, the simulator's own fields (passwords, the
Chinese texts of alerts, an upload's progress) included.

Tasks running when the state is taken cannot be kept: what they would do
is code waiting on the clock, not data. On import they end ``FAILED`` with
``error_code`` ``TASK_INTERRUPTED`` and change nothing, as every refused
task does; a script waiting for one sees it fail and can run it again. An
upload in progress (an ``UploadTask`` still ``UPLOADING``) is data and
carries on: send its next chunk. Login sessions, injected faults, the
request log and settings such as ``task_seconds`` belong to the running
simulator, not to the estate, and are not kept. The file holds the
accounts' passwords; it is written readable by its owner only.

``Simulator(state_file=PATH)`` (``--state PATH``) loads the file when it
exists, writes it when it does not, and then keeps it: a :class:`Keeper`
thread looks every ``save_interval`` seconds (default 1) and writes the
estate again if anything changed, and the simulator writes it once more
when it stops. Every write goes to a temporary file in the same directory
that is then renamed over the old one, so the file is always a whole
estate, the one before or the one after, even if the process is killed
mid-write. Why not on every change: a change is one request, and a
10,000-VM estate is some 60 MB of JSON; rewriting it under the lock on
every request would make every change slow. A process killed outright
loses at most the last ``save_interval`` seconds of changes; one that
stops (``stop()``, Ctrl+C, SIGTERM on the command line) loses nothing.
"""
import errno
import json
import logging
import os
import tempfile
import threading
import time

import six

from cloudtower.simulator import scale
from cloudtower.simulator.store import iso

logger = logging.getLogger("cloudtower.simulator")

FORMAT = "cloudtower-simulator-state"
FORMAT_VERSION = 1
INTERRUPTED = "TASK_INTERRUPTED"
_UNFINISHED = ("PENDING", "EXECUTING")


class StateError(ValueError):
    """A state that cannot be loaded (not JSON, not a simulator state, unknown tables)."""


def snapshot(store, api_version=None):
    """(store version, the estate as a dict) taken under the store's lock.

    Rows are copied one level deep; their values are never changed in place
    (the store replaces them), so the copy can be serialised after the lock
    is released.
    """
    with store.lock:
        store.advance()  # tasks now due land first
        tables = {}
        for name in sorted(store.rows):
            rows = store.ordered(name)
            if rows:
                tables[name] = [dict(row) for row in rows]
        data = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "saved_at": iso(time.time()),
            "api_version": api_version, "seed": store.seed, "size": scale.describe(store.size),
            "tables": tables, "running_tasks": [run.task_id for run in store._active],
        }
        return store.version, data


def export(store, api_version=None):
    """The estate as a JSON-ready dict of its own (see the module docstring)."""
    return json.loads(dumps(snapshot(store, api_version)[1]))


def dumps(data):
    return json.dumps(data, separators=(",", ":"))


def restore(store, data):
    """Replace the store's estate with ``data`` (a dict, or JSON text or bytes).

    Returns ``{"rows": n, "tables": n, "interrupted_tasks": [ids]}``. Raises
    :class:`StateError`, changing nothing, when ``data`` is not a state this
    simulator can load.
    """
    data = _parse(data)
    tables = data["tables"]
    prepared = {}
    for name, rows in tables.items():
        spec = store.tables[name]
        by_id = {}
        for row in rows:
            if not isinstance(row, dict) or not isinstance(row.get("id"), six.string_types):
                raise StateError("a row of %s has no id" % name)
            if row["id"] in by_id:
                raise StateError("%s %s appears twice" % (name, row["id"]))
            by_id[row["id"]] = row
        prepared[name] = (spec, by_id)
    with store.lock:
        store.rows = dict((name, {}) for name in store.tables)
        for name, (spec, by_id) in prepared.items():
            for row in by_id.values():
                # a field this SDK's schema has and the saved row lacks (a newer SDK)
                for key in spec.schema.order:
                    if key not in row:
                        field = spec.schema.fields[key]
                        if field.ref is not None:
                            row[key] = [] if field.many else None
                        else:
                            row[key] = store.filler(name, field)
            store.rows[name] = by_id
        store._active = []
        store._journal = None
        store._ordered = {}
        store._bulk = None
        store.seed = data.get("seed", store.seed)
        store.size = scale.parse(data.get("size"))
        # new ids sort after every loaded one, whatever the clock says
        newest = 0
        for by_id in store.rows.values():
            for row_id in by_id:
                newest = max(newest, _id_millis(row_id))
        if newest > store._last_id[0]:
            store._last_id = (newest, 0)
        interrupted = []
        now = store.now_iso()
        for task in store.ordered("Task"):
            if task.get("status") in _UNFINISHED:
                task.update({
                    "status": "FAILED", "error_code": INTERRUPTED, "finished_at": now,
                    "error_message": "the simulator's state was saved while this task ran; "
                                     "it was loaded without it, so the task changed nothing"})
                interrupted.append(task["id"])
        store.version += 1
    return {"rows": sum(len(rows) for rows in store.rows.values()), "tables": len(prepared),
            "interrupted_tasks": interrupted}


def _id_millis(row_id):
    # "c" + 8 base-36 digits of milliseconds + ...: the store's own ids
    if len(row_id) == 25 and row_id[0] == "c":
        try:
            return int(row_id[1:9], 36)
        except ValueError:
            return 0
    return 0


def _parse(data):
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise StateError("the state is not UTF-8 text: %s" % error)
    if isinstance(data, six.string_types):
        try:
            data = json.loads(data)
        except ValueError as error:
            raise StateError("the state is not JSON: %s" % error)
    elif isinstance(data, dict) and data.get("format") == FORMAT:
        # rows of the caller's own: the store takes copies (and JSON's lists for tuples)
        data = json.loads(dumps(data))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StateError("not a simulator state: a JSON object with \"format\": %r is expected"
                         % FORMAT)
    if data.get("format_version") != FORMAT_VERSION:
        raise StateError("a state of format version %r; this simulator reads version %d"
                         % (data.get("format_version"), FORMAT_VERSION))
    tables = data.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(rows, list) for rows in tables.values()):
        raise StateError("the state's \"tables\" must map table names to lists of rows")
    from cloudtower.simulator.schema import tables as known
    unknown = sorted(set(tables) - set(known()))
    if unknown:
        raise StateError("the state has tables this simulator does not know: %s"
                         % ", ".join(unknown))
    try:
        scale.parse(data.get("size"))
    except ValueError as error:
        raise StateError("the state's size: %s" % error)
    return data


# -- files -------------------------------------------------------------------------

def write(path, data):
    """Write ``data`` as JSON to ``path`` atomically: a temporary file, then a rename."""
    text = dumps(data)
    if isinstance(text, six.text_type):
        text = text.encode("utf-8")
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".",
                                         suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        _replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise


def _replace(source, target):
    replace = getattr(os, "replace", None)
    if replace is not None:
        replace(source, target)
        return
    try:
        os.rename(source, target)  # atomic over an existing file on POSIX
    except OSError as error:  # Windows on Python 2: the target must go first
        if error.errno != errno.EEXIST:
            raise
        os.remove(target)
        os.rename(source, target)


def load(store, path):
    """:func:`restore` the state in the file at ``path``."""
    with open(path, "rb") as stream:
        text = stream.read()
    try:
        return restore(store, text)
    except StateError as error:
        raise StateError("%s: %s" % (path, error))


class Keeper(object):
    """Keeps the estate of ``store`` in the file ``path`` (see the module docstring).

    :meth:`load_or_create` at the start, :meth:`start` a thread that saves
    every ``interval`` seconds when something changed, :meth:`stop` it with
    a last save. ``saves`` counts the files written.
    """

    def __init__(self, store, path, interval=1.0, api_version=None):
        if interval <= 0:
            raise ValueError("the save interval must be above 0 seconds, got %r" % (interval,))
        self.store = store
        self.path = path
        self.interval = float(interval)
        self.api_version = api_version
        self.saves = 0
        self.loaded = None
        self._saved_version = None
        self._lock = threading.Lock()  # one save at a time
        self._stopping = threading.Event()
        self._thread = None

    def load_or_create(self):
        """Load the file if it exists (returns what :func:`restore` does), else write it."""
        if os.path.exists(self.path):
            self.loaded = load(self.store, self.path)
            if self.loaded["interrupted_tasks"]:
                self.save()
            else:
                self._saved_version = self.store.version
            return self.loaded
        self.save()
        return None

    def save(self, force=True):
        """Write the estate now (when ``force`` is false: only if it changed); True if written."""
        with self._lock:
            if not force:
                store = self.store
                with store.lock:  # a look at the version, not a copy of the estate
                    store.advance()
                    if store.version == self._saved_version:
                        return False
            version, data = snapshot(self.store, self.api_version)
            write(self.path, data)
            self._saved_version = version
            self.saves += 1
            return True

    def start(self):
        if self._thread is not None:
            return self
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="cloudtower-simulator-state")
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self):
        """Stop the thread and save a last time if anything changed."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            thread.join(30)
        self.save(force=False)

    def _run(self):
        while not self._stopping.wait(self.interval):
            try:
                self.save(force=False)
            except Exception:  # a full disk must not stop the simulator; tried again later
                logger.warning("could not save the simulator's state to %s", self.path,
                               exc_info=True)
