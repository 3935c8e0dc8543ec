# coding: utf-8
"""The simulator's state: one table of rows per resource, behind one lock.

Rows are dicts keyed by the JSON names of their schema. A reference field
(``vm.cluster``, ``vm.vm_disks``) holds the id, or list of ids, of rows in
another table; the store keeps both ends of a relation in step (setting
``vm.host`` adds the VM to ``host.vms``), and renders references as the
``Nested*`` objects of the schema when a row is served.

Mutations are tasks: :meth:`Store.schedule` records a ``Task`` row and a
function that makes the change. Task status is computed from the clock
whenever the store is touched (:meth:`advance`): ``PENDING``, then
``EXECUTING`` with progress, and at ``task_seconds`` the function runs. It
runs inside a journal, so a :class:`~cloudtower.simulator.errors.Refused`
(or any error) undoes every write it made and the task ends ``FAILED``.

Every method expects ``store.lock`` to be held by the caller (the HTTP layer
holds it for the whole request), except where it takes it itself.
"""
import contextlib
import copy
import logging
import operator
import random
import string
import threading
import time
import traceback

from cloudtower.simulator import derived
from cloudtower.simulator.errors import Refused
from cloudtower.simulator.fake import Faker
from cloudtower.simulator.query import OrderedRows, Query
from cloudtower.simulator.schema import tables

logger = logging.getLogger("cloudtower.simulator")

_B36 = string.digits + string.ascii_lowercase
_MISSING = object()
# the seeded inventory is dated from here, so a seed gives the same ids and times
SEED_EPOCH = 1735689600.0  # 2025-01-01T00:00:00Z

# filler values that must not be random (a random vm_usage would make a VM a system VM)
_QUIET_DEFAULTS = {
    "entityAsyncStatus": None, "entity_async_status": None, "in_recycle_bin": False,
    "internal": False, "deleted_at": None, "vm_usage": None, "error_code": None,
    "error_message": None,
}


def iso(moment):
    """CloudTower's timestamp form: ``2025-01-01T00:00:00.000Z``."""
    millis = int(round((moment - int(moment)) * 1000))
    if millis == 1000:
        moment, millis = int(moment) + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(moment))) + ".%03dZ" % millis


def _base36(number, width):
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_B36[rest])
    text = "".join(reversed(digits)) or "0"
    return text[-width:].rjust(width, "0")


class _TaskRun(object):
    __slots__ = ("task_id", "created", "due", "seq", "apply", "failure")

    def __init__(self, task_id, created, due, seq, apply, failure):
        self.task_id = task_id
        self.created = created
        self.due = due
        self.seq = seq
        self.apply = apply
        self.failure = failure


class Store(object):
    """Tables, relations, ids and tasks. See the module docstring."""

    def __init__(self, seed=0, task_seconds=0.3, clock=time.time, users=None, size=None):
        from cloudtower.simulator import scale
        self.lock = threading.RLock()
        # how big the seeded estate is (cloudtower.simulator.scale): None for the seed alone
        self.size = scale.parse(size)
        # [{"username", "password", "source", "role"}]: the accounts the seed creates
        self.users = users
        self.task_seconds = float(task_seconds)
        self.clock = clock
        self.query = Query(self)
        self.derived = derived.DERIVED
        self.tables = tables()
        self._dependents_cache = {}
        self.seed = seed
        self.reset(seed)

    # -- life cycle --------------------------------------------------------

    def reset(self, seed=None, size=_MISSING):
        """Forget everything and load the seeded inventory again (of ``size``, if given)."""
        from cloudtower.simulator import scale, seed as seeding
        with self.lock:
            if seed is not None:
                self.seed = seed
            if size is not _MISSING:
                self.size = scale.parse(size)
            self.rows = dict((name, {}) for name in self.tables)
            self._active = []
            self._seq = 0
            self._journal = None
            self._bulk = None
            self._ordered = {}
            self.version = 0
            self.rng = random.Random(self.seed)
            self.faker = Faker(self.seed, now=SEED_EPOCH)
            self._fingerprint = "".join(self.rng.choice(_B36) for _ in range(4))
            self._last_id = (0, 0)
            self._fake_now = SEED_EPOCH - 86400 * 7
            seeding.seed_inventory(self)
            self._fake_now = None
            self.faker.now = None
            self.clean_version = self.version

    @contextlib.contextmanager
    def bulk(self):
        """Many rows at once (a large estate): while it lasts, ids come from fewer random
        draws and each field's filler value is drawn once and given to every row made."""
        self._bulk = {}
        try:
            yield
        finally:
            self._bulk = None

    @property
    def dirty(self):
        """True once anything changed since the last reset."""
        return self.version != self.clean_version

    def now(self):
        if self._fake_now is not None:
            # seeding: a steadily moving fake clock keeps ids ordered and repeatable
            self._fake_now += 0.001
            return self._fake_now
        return self.clock()

    def now_iso(self):
        return iso(self.now())

    def new_id(self):
        """A CUID: ``c`` + time + counter + fingerprint + random, growing with time."""
        millis = int(self.now() * 1000)
        last_millis, counter = self._last_id
        if millis <= last_millis:
            millis, counter = last_millis, counter + 1
        else:
            counter = 0
        self._last_id = (millis, counter)
        rng = self.rng
        if self._bulk is not None:
            return "c" + _base36(millis, 8) + _base36(counter, 4) + self._fingerprint + _base36(
                rng.getrandbits(41), 8)
        return "c" + _base36(millis, 8) + _base36(counter, 4) + self._fingerprint + "".join(
            rng.choice(_B36) for _ in range(8))

    def new_uuid(self):
        """A UUID-shaped local id (what the clusters use as ``local_id``)."""
        rng = self.rng
        if self._bulk is not None:
            hexa = "%032x" % rng.getrandbits(128)
        else:
            hexa = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        return "%s-%s-%s-%s-%s" % (hexa[:8], hexa[8:12], hexa[12:16], hexa[16:20], hexa[20:])

    # -- reading -----------------------------------------------------------

    def table(self, name):
        return self.tables[name]

    def get(self, table, row_id):
        if row_id is None:
            return None
        return self.rows[table].get(row_id)

    def all(self, table):
        return list(self.rows[table].values())

    def ordered(self, table):
        """Every row of ``table`` in id order: a list kept until a row is added or removed
        (do not change it), which also finds a row's place by id at once."""
        rows = self._ordered.get(table)
        if rows is None:
            rows = self._ordered[table] = OrderedRows(
                sorted(self.rows[table].values(), key=operator.itemgetter("id")))
        return rows

    def find(self, table, where, where_type=None, path="body.where"):
        """Rows of ``table`` matching a ``where`` (in id order)."""
        predicate = self.query.compile(table, where_type or table + "WhereInput", where, path)
        return list(self.query.select(table, predicate, None))

    def targets(self, table, row, key):
        """The rows (or embedded objects) a field of ``row`` points at, as a list."""
        if table is not None:
            field = self.tables[table].schema.fields.get(key)
            if field is not None and field.ref is not None:
                rows = self.rows[field.ref]
                value = row.get(key)
                if field.many:
                    return [rows[i] for i in value or () if i in rows]
                found = rows.get(value) if value is not None else None
                return [found] if found is not None else []
        value = row.get(key) if isinstance(row, dict) else None
        if isinstance(value, dict):
            return [value]
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)]
        return []

    def ref(self, table, row, key):
        """The one row a to-one reference points at, or None."""
        found = self.targets(table, row, key)
        return found[0] if found else None

    # -- rendering ---------------------------------------------------------

    def render(self, table, row, language=None, unknown=None):
        """The JSON object the API returns for ``row``: every field of its schema.

        ``unknown(field, id)``: the object shown for a reference to a row that
        does not exist (a mutation's answer names what the request named);
        by default such a reference is null.
        """
        schema = self.tables[table].schema
        rows = self.rows
        result = {}
        for key in schema.order:
            field = schema.fields[key]
            value = row.get(key)
            if field.ref is not None:
                targets = rows[field.ref]
                if field.many:
                    value = [_nested(field.nested, targets[i]) for i in value or () if i in targets]
                else:
                    target = targets.get(value) if value is not None else None
                    if target is not None:
                        value = _nested(field.nested, target)
                    elif value is not None and unknown is not None:
                        value = unknown(field, value)
                    else:
                        value = None
            result[key] = value
        for key, list_key in self.tables[table].counts:
            result[key] = len(self.targets(table, row, list_key))
        derive = self.derived.get(table)
        if derive is not None:
            for key in derive.keys:
                if key in schema.fields:
                    result[key] = derive(row, key, self)
        translated = row.get("_i18n")
        if translated and language:
            result.update(translated.get(language.split(",")[0].strip(), {}))
        return result

    # -- writing (every write goes through _set so a journal can undo it) --

    def _set(self, row, key, value):
        if self._journal is not None:
            self._journal.append(("set", row, key, row.get(key, _MISSING)))
        row[key] = value

    def insert(self, table, values=None, fill=True):
        """Add a row: missing fields get filler, references link both ends."""
        spec = self.tables[table]
        values = dict(values or {})
        row = {}
        for key in spec.schema.order:
            if key in values or key == "id":
                continue
            field = spec.schema.fields[key]
            if field.ref is not None:
                row[key] = [] if field.many else None
            elif not fill:
                row[key] = None
            else:
                row[key] = self.filler(table, field)
        refs = dict((f.key, values.pop(f.key)) for f in spec.refs if f.key in values)
        row.update(values)
        if not row.get("id"):
            row["id"] = self.new_id()
        for key in refs:
            row[key] = [] if spec.schema.fields[key].many else None
        if row["id"] in self.rows[table]:
            raise ValueError("duplicate id %s in %s" % (row["id"], table))
        self.rows[table][row["id"]] = row
        self._ordered.pop(table, None)
        if self._journal is not None:
            self._journal.append(("insert", table, row["id"], None))
        for key, value in refs.items():
            self.set_ref(table, row, key, value)
        self.version += 1
        return row

    def filler(self, table, field):
        key = field.key
        if key in _QUIET_DEFAULTS:
            return _QUIET_DEFAULTS[key]
        if key == "local_id" or key.endswith("_uuid"):
            return self.new_uuid()
        if key in ("local_created_at", "created_at", "local_updated_at", "updatedAt"):
            return self.now_iso()
        bulk = self._bulk
        if bulk is not None:
            value = bulk.get((table, key), _MISSING)
            if value is _MISSING:
                value = bulk[(table, key)] = self._fill(field)
            return copy.deepcopy(value) if isinstance(value, (list, dict)) else value
        return self._fill(field)

    def _fill(self, field):
        key = field.key
        rng = self.faker.rng
        if field.enum is not None and not field.many:
            return field.enum[int(rng.random() * len(field.enum))]
        if not field.constraints:
            # the common primitives, without random.randint's overhead (bulk creations)
            kind = field.type
            if kind == "int":
                return int(rng.random() * 1000)
            if kind == "float":
                return round(rng.random() * 100, 3)
            if kind == "bool":
                return rng.random() < 0.5
        return self.faker.value(field.type, key, True, 1, field.constraints)

    def update(self, table, row, changes):
        """Change fields of ``row`` (references through :meth:`set_ref`)."""
        fields = self.tables[table].schema.fields
        for key, value in changes.items():
            field = fields.get(key)
            if field is not None and field.ref is not None:
                self.set_ref(table, row, key, value)
            else:
                self._set(row, key, value)
        self.version += 1
        return row

    def set_ref(self, table, row, key, value):
        """Point a reference field at an id (or ids), updating the other end."""
        field = self.tables[table].schema.fields[key]
        old = row.get(key)
        old_ids = list(old or ()) if field.many else ([old] if old else [])
        if field.many:
            new_ids = []
            for item in value or ():
                if item not in new_ids:
                    new_ids.append(item)
            new_value = new_ids
        else:
            new_ids = [value] if value else []
            new_value = value or None
        for target_id in old_ids:
            if target_id not in new_ids:
                self._unlink(table, row["id"], key, target_id)
        self._set(row, key, new_value)
        for target_id in new_ids:
            if target_id not in old_ids:
                self._link(table, row["id"], key, target_id)
        self.version += 1

    def add_ref(self, table, row, key, target_id):
        self.set_ref(table, row, key, list(row.get(key) or ()) + [target_id])

    def remove_ref(self, table, row, key, target_id):
        self.set_ref(table, row, key, [i for i in row.get(key) or () if i != target_id])

    def _inverse(self, table, key):
        pair = self.tables[table].inverse.get(key)
        if pair is None:
            return None, None, None
        other_table, other_key = pair
        return other_table, other_key, self.tables[other_table].schema.fields[other_key]

    def _inverse_target(self, table, key, target_id):
        """(key, field, row) of the other side of a relation, or None."""
        other_table, other_key, other_field = self._inverse(table, key)
        if other_table is None:
            return None
        target = self.rows[other_table].get(target_id)
        if target is None:
            return None
        return other_key, other_field, target

    def _link(self, table, row_id, key, target_id):
        found = self._inverse_target(table, key, target_id)
        if found is None:
            return
        other_key, other_field, target = found
        if other_field.many:
            current = list(target.get(other_key) or ())
            if row_id not in current:
                self._set(target, other_key, current + [row_id])
            return
        previous = target.get(other_key)
        if previous and previous != row_id:
            # one-to-one: the row that pointed here before no longer does
            self._drop_forward(table, previous, key, target_id)
        self._set(target, other_key, row_id)

    def _unlink(self, table, row_id, key, target_id):
        found = self._inverse_target(table, key, target_id)
        if found is None:
            return
        other_key, other_field, target = found
        if other_field.many:
            current = target.get(other_key) or ()
            if row_id in current:
                self._set(target, other_key, [i for i in current if i != row_id])
        elif target.get(other_key) == row_id:
            self._set(target, other_key, None)

    def _drop_forward(self, table, row_id, key, target_id):
        row = self.rows[table].get(row_id)
        if row is None:
            return
        field = self.tables[table].schema.fields[key]
        if field.many:
            self._set(row, key, [i for i in row.get(key) or () if i != target_id])
        elif row.get(key) == target_id:
            self._set(row, key, None)

    def delete_with_dependents(self, table, row):
        """Remove a row and the rows that cannot exist without it: those whose
        required reference points at it (a cluster's hosts, a host's disks)."""
        if self.rows[table].get(row["id"]) is not row:
            return
        for other_table, key in self._dependents(table):
            for other in list(self.rows[other_table].values()):
                if other.get(key) == row["id"]:
                    self.delete_with_dependents(other_table, other)
        self.delete(table, row)

    def _dependents(self, table):
        found = self._dependents_cache.get(table)
        if found is None:
            found = self._dependents_cache[table] = [
                (other.name, field.key) for other in self.tables.values() for field in other.refs
                if field.ref == table and not field.many and field.required and not field.nullable]
        return found

    def delete(self, table, row):
        """Remove a row; the other ends of its relations forget it."""
        spec = self.tables[table]
        if self.rows[table].pop(row["id"], None) is None:
            return
        self._ordered.pop(table, None)
        if self._journal is not None:
            self._journal.append(("delete", table, row["id"], row))
        for field in spec.refs:
            value = row.get(field.key)
            for target_id in (value or ()) if field.many else ([value] if value else []):
                self._unlink(table, row["id"], field.key, target_id)
        self.version += 1

    # -- transactions ------------------------------------------------------

    def atomically(self, change):
        """Run ``change()``; if it raises, undo its writes and re-raise."""
        outer = self._journal
        self._journal = []
        try:
            result = change()
        except BaseException:
            journal, self._journal = self._journal, outer
            self._undo(journal)
            raise
        journal, self._journal = self._journal, outer
        if outer is not None:
            outer.extend(journal)
        return result

    def serve(self, handler):
        """Run one request's ``handler()``: if it raises, nothing it did remains
        (rows written, tasks scheduled), so a refused request changes nothing."""
        seq = self._seq
        try:
            return self.atomically(handler)
        except BaseException:
            self._active = [run for run in self._active if run.seq <= seq]
            raise

    def _undo(self, journal):
        for kind, a, b, c in reversed(journal):
            if kind == "set":
                if c is _MISSING:
                    a.pop(b, None)
                else:
                    a[b] = c
            elif kind == "insert":
                self.rows[a].pop(b, None)
                self._ordered.pop(a, None)
            else:
                self.rows[a][b] = c
                self._ordered.pop(a, None)
        self.version += 1

    # -- tasks -------------------------------------------------------------

    def schedule(self, description, apply=None, resource_type=None, resource_id=None,
                 cluster_id=None, user_id=None, mutation=None, args=None, failure=None):
        """Create a ``PENDING`` task whose change (``apply()``) lands when it ends.

        ``failure`` = (error_code, message) makes the task fail without applying.
        """
        created = self.now()
        row = self.insert("Task", {
            "description": description, "status": "PENDING", "progress": 0.0,
            "local_created_at": iso(created), "started_at": None, "finished_at": None,
            "error_code": None, "error_message": None, "resource_id": resource_id,
            "resource_type": resource_type, "resource_mutation": mutation,
            "resource_rollbacked": None, "resource_rollback_error": None,
            "resource_rollback_retry_count": None, "args": args if args is not None else {},
            "snapshot": "{}", "steps": [], "internal": False, "type": None,
            "key": mutation, "cluster": cluster_id if cluster_id in self.rows["Cluster"] else None,
            "user": user_id if user_id in self.rows["User"] else None,
        })
        self._seq += 1
        run = _TaskRun(row["id"], created, created + self.task_seconds, self._seq, apply, failure)
        active = self._active
        if active and active[-1].due > run.due:
            # task_seconds was lowered: keep the list in the order tasks end
            index = len(active)
            while index and active[index - 1].due > run.due:
                index -= 1
            active.insert(index, run)
        else:
            active.append(run)
        return row

    def advance(self):
        """Move every unfinished task along the clock; apply those now due."""
        if not self._active:
            return
        now = self.clock()
        due = 0
        while due < len(self._active) and self._active[due].due <= now:
            due += 1
        if due:
            ending, self._active = self._active[:due], self._active[due:]
            for run in ending:
                self._finish(run, now)
        tasks = self.rows["Task"]
        for run in self._active:
            row = tasks.get(run.task_id)
            if row is None:
                continue
            span = max(run.due - run.created, 1e-9)
            elapsed = now - run.created
            if elapsed < span * 0.2:
                continue
            if row["status"] == "PENDING":
                row["status"] = "EXECUTING"
                row["started_at"] = iso(run.created + span * 0.2)
            row["progress"] = round(min(0.99, (elapsed - span * 0.2) / (span * 0.8)), 2)

    def settle(self):
        """Finish every task now, whatever the clock says (for tests and shutdown)."""
        ending, self._active = self._active, []
        for run in ending:
            self._finish(run, self.clock())

    def _finish(self, run, now):
        row = self.rows["Task"].get(run.task_id)
        error = run.failure
        if error is None and run.apply is not None:
            try:
                self.atomically(run.apply)
            except Refused as refusal:
                error = (refusal.code, refusal.message)
            except Exception as exc:  # a simulator bug must not kill the server
                logger.error("task %s failed inside the simulator:\n%s", run.task_id,
                             traceback.format_exc())
                error = ("SIMULATOR_INTERNAL_ERROR", "%s: %s" % (type(exc).__name__, exc))
        if row is None:
            return
        span = max(run.due - run.created, 0)
        row["started_at"] = row["started_at"] or iso(run.created + span * 0.2)
        row["finished_at"] = iso(max(run.due, run.created))
        if error is None:
            row["status"] = "SUCCESSED"
            row["progress"] = 1.0
        else:
            row["status"] = "FAILED"
            row["error_code"], row["error_message"] = error
        self.version += 1

    @property
    def pending_tasks(self):
        return len(self._active)


def _nested(nested, target):
    result = {}
    for key in nested.order:
        value = target.get(key)
        if isinstance(value, list) and value and not isinstance(value[0], dict) \
                and nested.fields[key].inner.startswith("Nested"):
            value = [{"id": item} for item in value]
        result[key] = value
    return result
