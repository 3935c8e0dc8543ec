# coding: utf-8
"""Prisma-style queries (``where``, ``orderBy``, cursors) over the store's rows.

A ``where`` is compiled once per request into a predicate. Every key of a
``*WhereInput`` maps to a field of the row and an operator: equality,
``_not``, ``_in``, ``_not_in``, ``_lt``, ``_lte``, ``_gt``, ``_gte``,
``_contains``, ``_starts_with``, ``_ends_with`` (and their ``_not_`` forms),
a relation filter (``{"cluster": {...}}``), ``_some``/``_every``/``_none`` on
lists, and ``AND``/``OR``/``NOT``. A key the simulator cannot evaluate
(the row has no such field) answers 400 rather than being ignored.

Semantics follow Prisma 1 over SQL, as CloudTower does: comparisons never
match null, ``_not``/``_not_in`` do not match null either, string matches
are case-sensitive, ``_every`` holds for an empty list, ``AND: []`` is true
and ``OR: []`` is false. Default order is by id (ids grow with creation
time), nulls sort last ascending and first descending.

Big tables (a 10,000-VM estate, :mod:`.scale`): a page in the default order
costs the page, not the table. The store keeps each table's rows in id order
(:meth:`Store.ordered`, rebuilt only when rows come or go), an unfiltered
query pages that list as it is, and ``after``/``before`` find the cursor's
place in it by id. Filters still look at every row once.
"""
import json
import numbers

import six

from cloudtower.simulator.errors import bad_request
from cloudtower.simulator.schema import schema, tables

_SUFFIXES = ("_not_starts_with", "_not_ends_with", "_not_contains", "_starts_with",
             "_ends_with", "_contains", "_not_in", "_in", "_not", "_lte", "_lt", "_gte",
             "_gt", "_some", "_every", "_none")
_LIST_OPS = ("some", "every", "none")


def _parse_key(key, where_fields):
    """``name_not_in`` -> ("name", "not_in"); ``cluster`` -> ("cluster", "eq")."""
    for suffix in _SUFFIXES:
        if key.endswith(suffix):
            base = key[:-len(suffix)]
            op = suffix[1:]
            if base and (base in where_fields or op in _LIST_OPS):
                return base, op
    return key, "eq"


def _kind(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, numbers.Number):
        return "number"
    if isinstance(value, six.string_types):
        return "text"
    return "other"


def _comparable(value, other):
    if isinstance(value, bool) or isinstance(other, bool):
        return isinstance(value, bool) and isinstance(other, bool)
    if isinstance(value, numbers.Number):
        return isinstance(other, numbers.Number)
    if isinstance(value, six.string_types):
        return isinstance(other, six.string_types)
    return False


def _scalar(op, expected):
    if op == "eq":
        if expected is None:
            return lambda value: value is None
        return lambda value: value is not None and value == expected and _comparable(value, expected)
    if op == "not":
        if expected is None:
            return lambda value: value is not None
        return lambda value: value is not None and not (
            value == expected and _comparable(value, expected))
    if op in ("in", "not_in"):
        # one set per kind of value, so 1 never matches True (and long id lists stay fast)
        kinds = {}
        for choice in expected or ():
            kinds.setdefault(_kind(choice), set()).add(choice)

        def member(value):
            return value in kinds.get(_kind(value), ())
        if op == "in":
            return lambda value: value is not None and member(value)
        return lambda value: value is not None and not member(value)
    if op in ("lt", "lte", "gt", "gte"):
        if expected is None:
            return lambda value: False

        def compare(value):
            if value is None or not _comparable(value, expected):
                return False
            if op == "lt":
                return value < expected
            if op == "lte":
                return value <= expected
            if op == "gt":
                return value > expected
            return value >= expected
        return compare
    negate = op.startswith("not_")
    kind = op[4:] if negate else op

    def text(value):
        if expected is None or not isinstance(value, six.string_types):
            return False
        if kind == "contains":
            found = expected in value
        elif kind == "starts_with":
            found = value.startswith(expected)
        else:
            found = value.endswith(expected)
        return not found if negate else found
    return text


def always(row):
    """The predicate of an empty ``where``: every row."""
    return True


class OrderedRows(list):
    """A table's rows in id order (see :meth:`Store.ordered`), with the place of each id."""

    __slots__ = ("_positions",)

    def __init__(self, rows):
        list.__init__(self, rows)
        self._positions = None

    def position(self, row_id):
        if self._positions is None:
            self._positions = dict((row["id"], index) for index, row in enumerate(self))
        return self._positions.get(row_id)


class Query(object):
    """Compiles and runs queries against a store (called with its lock held)."""

    def __init__(self, store):
        self.store = store

    # -- where -------------------------------------------------------------

    def compile(self, table_name, where_type, where, path="body.where"):
        """A predicate over rows of ``table_name`` (None: embedded JSON objects)."""
        if where is None:
            return always
        if not isinstance(where, dict):
            raise bad_request("%s must be an object" % path, path)
        wschema = schema(where_type)
        where_fields = wschema.fields if wschema is not None else {}
        table = tables().get(table_name) if table_name else None
        parts = []
        for key in sorted(where):
            value = where[key]
            spot = "%s.%s" % (path, key)
            if key in ("AND", "OR", "NOT"):
                items = value if isinstance(value, list) else ([] if value is None else [value])
                subs = [self.compile(table_name, where_type, item, "%s[%d]" % (spot, i))
                        for i, item in enumerate(items)]
                parts.append(_logic(key, subs))
                continue
            if wschema is not None and key not in where_fields:
                raise bad_request("%s is not a property of %s" % (spot, where_type), spot)
            field_type = where_fields[key].type if key in where_fields else None
            base, op = _parse_key(key, where_fields)
            parts.append(self._field(table, base, op, field_type, value, spot, key))
        if not parts:
            return always
        if len(parts) == 1:
            return parts[0]
        return lambda row: all(part(row) for part in parts)

    def _field(self, table, base, op, field_type, value, spot, key):
        store = self.store
        is_relation = bool(field_type) and field_type.endswith("WhereInput")
        row_field = None
        count_of = None
        if table is not None:
            row_field = table.schema.fields.get(base)
            if row_field is None:
                raise bad_request(
                    "the filter %s is not supported by the simulator: %s rows have no field %r"
                    % (key, table.name, base), spot)
            count_of = dict(table.counts).get(base)
        if is_relation:
            sub_table = row_field.ref if row_field is not None else None
            inner = self.compile(sub_table, field_type, value, spot)
            name = table.name if table is not None else None
            pool = store.rows[sub_table] if sub_table is not None else None
            if pool is not None and not row_field.many and op not in _LIST_OPS:
                # a to-one reference (vm.cluster): one lookup per row
                if value is None:
                    return lambda row: pool.get(row.get(base)) is None

                def points_at_match(row):
                    target = pool.get(row.get(base))
                    return target is not None and inner(target)
                return points_at_match

            def targets(row):
                return store.targets(name, row, base)
            if op in _LIST_OPS:
                if op == "some":
                    return lambda row: any(inner(t) for t in targets(row))
                if op == "every":
                    return lambda row: all(inner(t) for t in targets(row))
                return lambda row: not any(inner(t) for t in targets(row))
            if value is None:
                return lambda row: not targets(row)
            return lambda row: any(inner(t) for t in targets(row))
        if op in _LIST_OPS:
            raise bad_request("the filter %s is not supported by the simulator" % key, spot)
        test = _scalar(op, value)
        if count_of is not None:
            return lambda row: test(len(store.targets(table.name, row, count_of)))
        if table is not None and table.name in store.derived:
            derive = store.derived[table.name]
            return lambda row: test(derive(row, base, store) if base in derive.keys else row.get(base))
        return lambda row: test(row.get(base) if isinstance(row, dict) else None)

    # -- order and pages ---------------------------------------------------

    def select(self, table_name, predicate, order_by, path="body.orderBy"):
        """The rows of ``table_name`` that ``predicate`` keeps, ordered by ``order_by``
        (by id when None). Do not change the list: it may be the store's own."""
        if order_by is None:
            rows = self.store.ordered(table_name)
            return rows if predicate is always else [row for row in rows if predicate(row)]
        rows = self.store.rows[table_name].values()
        if predicate is not always:
            rows = [row for row in rows if predicate(row)]
        return self.order(table_name, rows, order_by, path)

    def order(self, table_name, rows, order_by, path="body.orderBy"):
        """Rows sorted by ``field_ASC``/``field_DESC`` (by id when None)."""
        if order_by is None:
            return sorted(rows, key=lambda row: row["id"])
        if not isinstance(order_by, six.string_types) or "_" not in order_by:
            raise bad_request("%s must be like name_ASC, got %r" % (path, order_by), path)
        field, direction = order_by.rsplit("_", 1)
        table = tables()[table_name]
        if direction not in ("ASC", "DESC") or (field not in table.schema.fields):
            raise bad_request("ordering by %r is not supported on %s" % (order_by, table_name), path)
        value_of = self._value_getter(table, field)
        present, missing = [], []
        for row in rows:
            value = value_of(row)
            (missing if value is None else present).append((_sort_key(value), row["id"], row))
        present.sort(key=lambda item: (item[0], item[1]))
        missing.sort(key=lambda item: item[1])
        ordered = [item[2] for item in present] + [item[2] for item in missing]
        if direction == "DESC":
            ordered.reverse()
        return ordered

    def _value_getter(self, table, field):
        store = self.store
        count_of = dict(table.counts).get(field)
        if count_of is not None:
            return lambda row: len(store.targets(table.name, row, count_of))
        ref = table.schema.fields[field]
        if ref.ref is not None:
            # a relation sorts by the name (or id) of what it points at
            def related(row):
                found = store.targets(table.name, row, field)
                if not found:
                    return None
                return [t.get("name") or t.get("id") for t in found]
            return related
        derive = store.derived.get(table.name)
        if derive is not None and field in derive.keys:
            return lambda row: derive(row, field, store)
        return lambda row: row.get(field)

    def page(self, rows, body, path="body"):
        """Apply ``after``/``before``/``skip``/``first``/``last`` to ordered rows."""
        for name in ("first", "skip", "last"):
            value = body.get(name)
            if value is not None and value < 0:
                raise bad_request("%s.%s must not be negative, got %r" % (path, name, value),
                                  "%s.%s" % (path, name))
        after, before = body.get("after"), body.get("before")
        if after is not None:
            index = _index(rows, after)
            rows = rows[index + 1:] if index is not None else []
        if before is not None:
            index = _index(rows, before)
            rows = rows[:index] if index is not None else []
        skip = int(body.get("skip") or 0)
        first, last = body.get("first"), body.get("last")
        if last is not None:
            if skip:
                rows = rows[:max(len(rows) - skip, 0)]
            rows = rows[len(rows) - int(last):] if last else []
            if first is not None:
                rows = rows[:int(first)]
            return rows
        rows = rows[skip:]
        if first is not None:
            rows = rows[:int(first)]
        return rows


def _logic(kind, subs):
    if kind == "AND":
        return lambda row: all(sub(row) for sub in subs)
    if kind == "OR":
        return lambda row: any(sub(row) for sub in subs)
    return lambda row: not any(sub(row) for sub in subs)


def _index(rows, row_id):
    if isinstance(rows, OrderedRows):
        return rows.position(row_id)
    for index, row in enumerate(rows):
        if row.get("id") == row_id:
            return index
    return None


def _sort_key(value):
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, numbers.Number):
        return (1, value)
    if isinstance(value, six.string_types):
        return (2, value)
    return (3, json.dumps(value, sort_keys=True))
