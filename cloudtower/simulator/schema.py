# coding: utf-8
"""What the simulator knows of the API, read from the SDK's generated code only.

Models become :class:`Schema` objects keyed by JSON names (the wire form the
simulator stores and serves). Resource tables are the item types of the
``get-*`` list operations; a ``Nested<Table>`` field is a reference to a row of
that table, and two references that point at each other's tables form one
relation whose both ends the store keeps consistent. Everything is computed
on first use and cached for the process.
"""
import threading

from cloudtower.api.operations import OPERATIONS
from cloudtower.model import DICT_TYPE, LIST_TYPE, is_enum, model_class

_LIST, _DICT = LIST_TYPE, DICT_TYPE
_lock = threading.RLock()
_schemas = {}
_cache = {}

# Where two tables are linked by more than one field, the pairing cannot be
# guessed from the types alone.
_INVERSE_PAIRS = ((("UsbDevice", "vms"), ("Vm", "usb_devices")),)


class Field(object):
    """One property of a model, by its JSON key."""

    __slots__ = ("key", "attr", "type", "many", "inner", "enum", "required", "nullable",
                 "constraints", "ref", "nested", "versions")

    def __init__(self, key, attr, type_name, enum, required, nullable, constraints, versions=()):
        self.key = key
        self.attr = attr
        self.type = type_name
        match = _LIST.match(type_name)
        self.many = match is not None
        self.inner = match.group(1) if match else type_name
        self.enum = enum
        self.required = required
        self.nullable = nullable
        self.constraints = constraints or {}
        self.versions = versions  # the CloudTower versions that have it (cloudtower.versions)
        self.ref = None      # table name when the field refers to rows of a table
        self.nested = None   # the Nested* schema used to render such a reference

    def __repr__(self):
        return "<Field %s: %s>" % (self.key, self.type)


class Schema(object):
    """A model (or enum) of the API in JSON terms."""

    def __init__(self, name, cls):
        self.name = name
        self.cls = cls
        self.is_enum = is_enum(cls)
        self.values = list(cls.allowable_values) if self.is_enum else []
        self.fields = {}
        self.order = []
        if self.is_enum:
            self.closed = False
            return
        info = cls.describe()  # the model's public field metadata
        self.closed = info.closed
        for described in sorted(info.fields, key=lambda f: f.name):
            field = Field(described.json_key, described.name, described.type,
                          described.enum or None, described.required, described.nullable,
                          described.constraints, described.versions)
            self.fields[described.json_key] = field
            self.order.append(described.json_key)
        self.required = [key for key in self.order if self.fields[key].required]

    def __repr__(self):
        return "<Schema %s>" % self.name


def schema(name):
    """The :class:`Schema` of model ``name``, or None for primitives and unknown names."""
    result = _schemas.get(name)
    if result is None and name not in _schemas:
        cls = model_class(name)
        result = Schema(name, cls) if cls is not None else None
        _schemas[name] = result
    return result


def _cached(key, build):
    value = _cache.get(key)
    if value is None:
        with _lock:
            value = _cache.get(key)
            if value is None:
                value = build()
                _cache[key] = value
    return value


class Table(object):
    """A resource the API lists: its row schema and its query operation."""

    def __init__(self, name, list_op, where, order_by):
        self.name = name
        self.schema = schema(name)
        self.list_op = list_op
        self.where = where
        self.order_by = order_by
        self.refs = []       # fields referring to other tables
        self.inverse = {}    # ref key -> (table, key) of the field at the other end
        self.counts = []     # (key, list key): "vm_num" counts "vms"

    def __repr__(self):
        return "<Table %s>" % self.name


def _body_schema(op):
    if op.body is None:
        return None
    match = _LIST.match(op.body[1])
    return schema(match.group(1) if match else op.body[1])


def _build_tables():
    result = {}
    for name in sorted(OPERATIONS):
        op = OPERATIONS[name]
        if not op.path.startswith("/get-") or op.path.endswith("-connection"):
            continue
        match = _LIST.match(op.return_type or "")
        body = _body_schema(op)
        if not match or body is None or "where" not in body.fields:
            continue
        item = match.group(1)
        where = body.fields["where"].type
        # derived listings (get-meta-leader) filter another resource: not a table
        if where != item + "WhereInput":
            continue
        row = schema(item)
        if row is None or "id" not in row.fields:
            continue
        order = body.fields.get("orderBy")
        result[item] = Table(item, op, where, order.type if order else None)
    for table in result.values():
        fields = table.schema.fields
        for key in table.schema.order:
            field = fields[key]
            if field.inner.startswith("Nested") and field.inner[6:] in result:
                nested = schema(field.inner)
                if nested is not None and "id" in nested.fields:
                    field.ref = field.inner[6:]
                    field.nested = nested
                    table.refs.append(field)
    overridden = {}
    for one, other in _INVERSE_PAIRS:
        overridden[one] = other
        overridden[other] = one
    ambiguous = set(frozenset((one[0], other[0])) for one, other in _INVERSE_PAIRS)
    for table in result.values():
        for field in table.refs:
            pair = overridden.get((table.name, field.key))
            if pair is not None:
                table.inverse[field.key] = pair
                continue
            if frozenset((table.name, field.ref)) in ambiguous:
                continue
            target = result[field.ref]
            forward = [f for f in table.refs if f.ref == field.ref]
            backward = [f for f in target.refs if f.ref == table.name]
            if len(forward) == 1 and len(backward) == 1 and (
                    target.name != table.name or backward[0].key != field.key):
                table.inverse[field.key] = (target.name, backward[0].key)
        by_key = dict((f.key, f) for f in table.refs if f.many)
        for key in table.schema.order:
            field = table.schema.fields[key]
            if not key.endswith("_num") or field.inner != "int":
                continue
            base = key[:-4]
            for candidate in (base + "s", base + "es", base[:-1] + "ies", base):
                if candidate in by_key:
                    table.counts.append((key, candidate))
                    break
    return result


def tables():
    """{name: :class:`Table`} for every resource that a ``get-*`` operation lists."""
    return _cached("tables", _build_tables)


def table_of_where(where_type):
    """The table that a ``*WhereInput`` (or ``*WhereUniqueInput``) type filters, or None."""
    for suffix in ("WhereUniqueInput", "WhereInput"):
        if where_type and where_type.endswith(suffix):
            return tables().get(where_type[:-len(suffix)])
    return None


def _build_routes():
    # An old name (one with a ``successor``) shares its path with the operation
    # that replaced it; the path serves the successor, whatever order the dict
    # has (on Python 2 /poweroff-vm once went to force_shut_down_vm, which has
    # no handler: a task that changed nothing).
    found = {}
    for name in sorted(OPERATIONS):
        op = OPERATIONS[name]
        key = (op.http_method, op.path)
        if key not in found or getattr(found[key], "successor", None):
            found[key] = op
    return found


def routes():
    """{(method, path): Operation} for every operation."""
    return _cached("routes", _build_routes)


def body_item(op):
    """(item schema, is list) of an operation's JSON body, or (None, False)."""
    if op.body is None:
        return None, False
    match = _LIST.match(op.body[1])
    return schema(match.group(1) if match else op.body[1]), match is not None


def split_list(type_name):
    """``list[X]`` -> (X, True); ``X`` -> (X, False)."""
    match = _LIST.match(type_name or "")
    return (match.group(1), True) if match else (type_name, False)


def dict_value_type(type_name):
    match = _DICT.match(type_name or "")
    return match.group(2) if match else None
