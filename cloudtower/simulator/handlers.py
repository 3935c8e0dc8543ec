# coding: utf-8
"""Operation handlers: generic ones for every operation, and the registry.

Each handler takes a :class:`Context` (the store, the operation, the
validated body, who is calling) and returns plain JSON data. Resource
specific behaviour lives in :mod:`.vm`, :mod:`.resources` and
:mod:`.upload` and registers itself with :func:`handles`; every other
operation is served by a generic handler chosen from its shape:

- ``get-*`` with a ``where``: a query (or, for listings derived from
  another resource such as ``get-meta-leader``, one object per matched row);
- ``get-*-connection``: the aggregate count for the same filters;
- a body with ``where`` and ``data``: update the matched rows with the
  fields of ``data`` that the rows have;
- a ``delete-*`` with ``where``: delete the matched rows;
- other bodies with ``where``: a task per matched row that changes nothing;
- a body without ``where``: create one row per item;
- anything else: an answer of the declared type filled by the Faker.

Every mutation returns its tasks and changes the store only when they end.
"""
import re
import threading

import six

from cloudtower.simulator import validate
from cloudtower.simulator.errors import ApiError, Refused, bad_request
from cloudtower.simulator.schema import body_item, schema, split_list, table_of_where, tables

HANDLERS = {}
# The modules with handlers of their own (each registers them with @handles):
# listed here, in one place, and loaded when the first handler is looked up.
HANDLER_MODULES = ("resources", "session", "upload", "vm_config", "vm_create", "vm_power",
                   "vm_recycle")
_loaded = []
_load_lock = threading.Lock()

BYTE_UNITS = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4,
              "PB": 1024 ** 5}


def handles(*names):
    """Register the decorated function as the handler of operations ``names``."""
    def register(function):
        for name in names:
            HANDLERS[name] = function
        return function
    return register


def to_bytes(size, unit=None):
    return int(size * BYTE_UNITS.get(unit or "B", 1))


def refuse(code, message):
    raise Refused(code, message)


def need(store, table, row_id, what=None):
    """The row, or a refusal naming what was not found."""
    row = store.get(table, row_id) if row_id else None
    if row is None:
        name = re.sub(r"(?<!^)([A-Z])", r"_\1", table).upper()
        refuse("%s_NOT_FOUND" % name, "%s %s does not exist" % (what or table, row_id))
    return row


def describe(op_name, row=None):
    """``start_vm`` + a row -> ``Start vm web-01``: a task description."""
    text = op_name.replace("_", " ").capitalize()
    if row is not None:
        label = row.get("name") or row.get("key") or row.get("id")
        if label:
            text += " " + six.text_type(label)
    return text


class Context(object):
    """One request as the handlers see it."""

    def __init__(self, simulator, store, op, body, user_id=None, language=None, form=None):
        self.simulator = simulator
        self.store = store
        self.op = op
        self.body = body
        self.form = form or {}
        self.user_id = user_id
        self.language = language

    def schedule(self, apply, row=None, table=None, description=None, cluster_id=None,
                 args=None):
        """A task for this operation on ``row``; ``apply()`` runs when it ends."""
        failure = self.simulator.take_task_failure(self.op) if self.simulator else None
        if cluster_id is None and row is not None:
            cluster_id = _cluster_of(self.store, table, row)
        return self.store.schedule(
            description or describe(self.op.name, row), apply, resource_type=table,
            resource_id=row.get("id") if row is not None else None, cluster_id=cluster_id,
            user_id=self.user_id, mutation=self.op.operation_id, failure=failure,
            args=args if args is not None else _args(self.body))

    def render(self, table, row):
        return self.store.render(table, row, self.language, self._unknown)

    def _unknown(self, field, row_id):
        """An answer's reference to a row that does not exist: the id the request gave."""
        nested = field.nested
        result = {}
        for key in nested.order:
            inner = nested.fields[key]
            result[key] = row_id if key == "id" else self.store.faker.value(
                inner.type, key, True, 1, inner.constraints)
        return result

    def result(self, items):
        """Shape ``[(task, table, row)]`` as the operation's return type."""
        inner, many = split_list(self.op.return_type)
        shaped = [self.shape(inner, task, table, row) for task, table, row in items]
        if many:
            return shaped
        return shaped[0] if shaped else self.fake(inner)

    def shape(self, type_name, task, table, row):
        if type_name == "Task" and task is not None:
            return self.render("Task", task)
        if type_name == "str":
            return (row or {}).get("id") or (task or {}).get("id")
        model = schema(type_name)
        if model is not None and "task_id" in model.fields and "data" in model.fields:
            data_type, data_many = split_list(model.fields["data"].type)
            data = self.shape_data(data_type, table, row)
            return {"task_id": task["id"] if task is not None else None,
                    "data": [data] if data_many else data}
        return self.shape_data(type_name, table, row)

    def shape_data(self, type_name, table, row):
        if row is None:
            return self.fake(type_name)
        if table is not None and type_name == table:
            return self.render(table, row)
        source = self.render(table, row) if table is not None else dict(row)
        model = schema(type_name)
        if model is None or model.is_enum:
            return source
        result = {}
        for key in model.order:
            field = model.fields[key]
            if key in source and _fits(field, source[key]):
                result[key] = source[key]
            else:
                result[key] = self.store.faker.value(field.type, key, True, 1, field.constraints)
        return result

    def fake(self, type_name):
        if not type_name or type_name == "str":
            return ""
        inner, many = split_list(type_name)
        if many:
            return [self.fake(inner)]
        model = schema(type_name)
        if model is None:
            return self.store.faker.value(type_name)
        if model.is_enum:
            return model.values[0] if model.values else None
        return self.store.faker.model(type_name, True, 1)


def _fits(field, value):
    """Whether a value of one model's field can stand in another model's field."""
    if value is None:
        return not field.required or field.nullable
    if field.enum is not None:
        return all(item in field.enum for item in (value if isinstance(value, list) else [value]))
    try:
        validate.check(field.type, value, field.key)
    except ApiError:
        return False
    return True


def _args(body):
    # a list body is one item per task: each task keeps only its own (given by the handler)
    return body if isinstance(body, dict) else {}


def _cluster_of(store, table, row):
    if table == "Cluster":
        return row.get("id")
    if table is None:
        return None
    field = store.table(table).schema.fields.get("cluster")
    if field is not None and field.ref == "Cluster":
        return row.get("cluster")
    return None


# -- reading -------------------------------------------------------------------

def _listing(ctx):
    """(table, rows after where/order/page) for a body with ``where``."""
    body = ctx.body or {}
    item, _ = body_item(ctx.op)
    where_type = item.fields["where"].type
    table = table_of_where(where_type)
    if table is None:
        return None, []
    store = ctx.store
    predicate = store.query.compile(table.name, where_type, body.get("where"))
    order_by = body.get("orderBy")
    if order_by is not None and table.order_by is None:
        raise bad_request("body.orderBy is not accepted here", "body.orderBy")
    rows = store.query.select(table.name, predicate, order_by)
    return table, store.query.page(rows, body)


def query(ctx):
    table, rows = _listing(ctx)
    inner, _ = split_list(ctx.op.return_type)
    if table is None:
        return [ctx.fake(inner)]
    if inner == table.name:
        return [ctx.render(table.name, row) for row in rows]
    # a listing derived from another resource: one answer per matched row
    return [ctx.shape_data(inner, table.name, row) for row in rows]


def connection(ctx):
    body = ctx.body or {}
    item, _ = body_item(ctx.op)
    where_type = item.fields["where"].type if item and "where" in item.fields else None
    table = table_of_where(where_type)
    count = 0
    if table is not None:
        store = ctx.store
        predicate = store.query.compile(table.name, where_type, body.get("where"))
        rows = store.query.select(table.name, predicate, body.get("orderBy"))
        count = len(store.query.page(rows, body))
    model = schema(ctx.op.return_type)
    aggregate = model.fields["aggregate"].type if model and "aggregate" in model.fields else None
    if aggregate is None:
        return ctx.fake(ctx.op.return_type)
    return {"aggregate": {"count": count}}


def fake_answer(ctx):
    return ctx.fake(ctx.op.return_type)


# -- writing -------------------------------------------------------------------

def _result_table(op):
    """The table a mutation answers with (``WithTask_Vm_`` -> ``Vm``), or None."""
    inner, _ = split_list(op.return_type)
    model = schema(inner)
    if model is not None and "data" in model.fields and "task_id" in model.fields:
        inner, _ = split_list(model.fields["data"].type)
    known = tables()
    if inner in known:
        return inner
    if inner.startswith("Delete") and inner[6:] in known:
        return inner[6:]
    return None


def map_params(store, table, params):
    """The row fields that creation/update ``params`` set.

    A field of the row with the same name and a fitting value is copied;
    ``<ref>_id`` / ``<refs>_ids`` set references; ``<field>_unit`` scales a
    byte size. Other parameters (policies, options) are not modelled.
    """
    fields = store.table(table).schema.fields
    values = {}
    for key in sorted(params):
        value = params[key]
        if value is None or key.endswith("_unit"):
            continue
        field = fields.get(key)
        if field is not None and field.ref is None:
            try:
                validate.check(field.type, value, key)
            except ApiError:
                continue
            unit = params.get(key + "_unit")
            if unit in BYTE_UNITS and isinstance(value, six.integer_types):
                value = to_bytes(value, unit)
            values[key] = value
            continue
        if key.endswith("_id") and isinstance(value, six.string_types):
            ref = fields.get(key[:-3])
            if ref is not None and ref.ref is not None and not ref.many:
                values[ref.key] = value
            continue
        if key.endswith("_ids") and isinstance(value, list):
            base = key[:-4]
            for name in (base + "s", base + "es", base[:-1] + "ies" if base.endswith("y") else base):
                ref = fields.get(name)
                if ref is not None and ref.ref is not None and ref.many:
                    values[name] = list(value)
                    break
    return values


def check_refs(store, table, values):
    """Refuse when a reference in ``values`` points at nothing."""
    fields = store.table(table).schema.fields
    for key, value in values.items():
        field = fields.get(key)
        if field is None or field.ref is None:
            continue
        for target_id in (value if field.many else [value]):
            need(store, field.ref, target_id, "%s (%s)" % (field.ref, key))


def create(ctx, extra=None):
    """Create a row per item; ``extra(params)`` adds values the mapping cannot see."""
    table = _result_table(ctx.op)
    if table is None:
        return fake_mutation(ctx)
    body = ctx.body
    if isinstance(body, list):
        items = body
    elif isinstance(body, dict) and "where" not in body and isinstance(body.get("data"), list):
        items = body["data"]
    else:
        items = [body]
    store = ctx.store
    results = []
    for params in items:
        params = params if isinstance(params, dict) else {}
        values = map_params(store, table, params)
        if extra is not None:
            values.update(extra(params))
        named = named_rows(params)
        if ctx.op.name.startswith("clone_") and isinstance(params.get("id"), six.string_types):
            named.insert(0, (table, params["id"], "id"))  # the row cloned
        _infer_refs(store, table, values, named)
        values["id"] = store.new_id()
        # the row is filled once: the answer shows what will be stored
        row = fill_row(store, table, values)

        def apply(values=values, row=row, named=named):
            for source_table, source_id, key in named:
                need(store, source_table, source_id, "%s (%s)" % (source_table, key))
            check_refs(store, table, values)
            store.insert(table, row)
        task = ctx.schedule(apply, values, table, args=params)
        preview = dict(row)
        if "entityAsyncStatus" in preview:
            preview["entityAsyncStatus"] = "CREATING"
        missing = any(store.get(t, i) is None for t, i, _ in named)
        # a row named by the request does not exist: the task will fail, the
        # answer is a row of the right shape
        results.append((task, table, None if missing else preview))
    return ctx.result(results)


def _table_by_suffix(words):
    """The table a ``*_id`` parameter names: ``src_vm`` -> Vm, ``volume`` -> VmVolume."""
    snakes = _snake_tables()
    for start in range(len(words)):
        name = "_".join(words[start:])
        if name in snakes:
            return snakes[name]
        found = [table for snake, table in snakes.items() if snake.endswith("_" + name)]
        if len(found) == 1:
            return found[0]
    return None


_SNAKES = {}


def _snake_tables():
    if not _SNAKES:
        for name in tables():
            _SNAKES[re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()] = name
    return _SNAKES


def named_rows(params):
    """``[(table, id, parameter)]`` for the top-level ``*_id`` parameters that name a row."""
    found = []
    for key in sorted(params):
        value = params[key]
        if key.endswith("_id") and isinstance(value, six.string_types) and value:
            table = _table_by_suffix(key[:-3].split("_"))
            if table is not None:
                found.append((table, value, key))
    return found


def _infer_refs(store, table, values, named):
    """Fill required references the parameters do not set from the rows they
    name: a volume snapshot's cluster is its volume's."""
    for field in store.table(table).refs:
        if field.many or not field.required or field.nullable or values.get(field.key):
            continue
        for source_table, source_id, _ in named:
            source = store.get(source_table, source_id)
            if source is None:
                continue
            if source_table == field.ref:
                values[field.key] = source_id
                break
            other = store.table(source_table).schema.fields.get(field.key)
            if other is not None and other.ref == field.ref and source.get(field.key):
                values[field.key] = source[field.key]
                break


def act_on_named(ctx):
    """An operation on rows its parameters name by id (``host_id``) that the
    simulator does not model: a task per item that changes nothing, and the
    named row (or the row of the answer's type it refers to) as the answer."""
    table = _result_table(ctx.op)
    body = ctx.body
    items = body if isinstance(body, list) else [body]
    store = ctx.store
    results = []
    for params in items:
        params = params if isinstance(params, dict) else {}
        row_table, row = None, None
        candidates = named_rows(params)
        if table is not None and isinstance(params.get("id"), six.string_types):
            candidates.insert(0, (table, params["id"], "id"))
        for source_table, source_id, _ in candidates:
            source = store.get(source_table, source_id)
            if source is None:
                continue
            if table is None or source_table == table:
                row_table, row = source_table, source
                break
            for field in store.table(source_table).refs:
                if field.ref == table and not field.many and source.get(field.key):
                    row_table, row = table, store.get(table, source[field.key])
                    break
            if row is not None:
                break
        task = ctx.schedule(lambda: None, row, row_table, args=params)
        results.append((task, row_table, row))
    return ctx.result(results)


def fill_row(store, table, values):
    """A row as it will be once created (filled, not stored) for the answer."""
    spec = store.table(table)
    row = {}
    for key in spec.schema.order:
        field = spec.schema.fields[key]
        if key in values:
            row[key] = values[key]
        elif field.ref is not None:
            row[key] = [] if field.many else None
        else:
            row[key] = store.filler(table, field)
    # the simulator's own values (a user's password ...), never served
    row.update((key, value) for key, value in values.items() if key.startswith("_"))
    return row


def _updates(ctx):
    """The (where, data) pairs of an update body (one or a list)."""
    body = ctx.body
    return [(item.get("where"), item.get("data") or {})
            for item in (body if isinstance(body, list) else [body])]


def _for_matched_rows(ctx, change):
    """Schedule one task per row matched by each ``where`` of the body.

    ``change(store, table_name, data)`` checks ``data`` (before any task is
    scheduled for it) and returns ``apply(row_id)``: what a task does to its
    row when it ends. Rows the simulator cannot locate get fake answers.
    """
    item, _ = body_item(ctx.op)
    where_type = item.fields["where"].type
    table = table_of_where(where_type)
    if table is None:
        return fake_mutation(ctx)
    store = ctx.store
    results = []
    for where, data in _updates(ctx):
        apply = change(store, table.name, data)
        for row in store.find(table.name, where, where_type):
            # ``apply`` bound now: a late-bound closure gave every row the last item's data
            task = ctx.schedule(lambda row_id=row["id"], apply=apply: apply(row_id), row,
                                table.name, args={"where": where, "data": data})
            results.append((task, table.name, row))
    return ctx.result(results)


def _apply_update(store, table_name, data):
    values = map_params(store, table_name, data if isinstance(data, dict) else {})

    def apply(row_id):
        current = need(store, table_name, row_id)
        check_refs(store, table_name, values)
        store.update(table_name, current, values)
    return apply


def _apply_delete(store, table_name, data):
    return lambda row_id: store.delete_with_dependents(table_name, need(store, table_name, row_id))


def _apply_nothing(store, table_name, data):
    return lambda row_id: None


def update(ctx):
    return _for_matched_rows(ctx, _apply_update)


def delete(ctx):
    return _for_matched_rows(ctx, _apply_delete)


def action(ctx):
    """An operation on matched rows that the simulator does not model: tasks only."""
    return _for_matched_rows(ctx, _apply_nothing)


def fake_mutation(ctx):
    """A mutation the simulator has no model for: a task and a filled answer."""
    task = ctx.schedule(lambda: None)
    inner, many = split_list(ctx.op.return_type)
    answer = ctx.shape(inner, task, None, None)
    return [answer] if many else answer


def load_handler_modules():
    """Import every module of ``HANDLER_MODULES`` once, so that their handlers are registered."""
    if not _loaded:
        with _load_lock:
            if not _loaded:
                import importlib
                for name in HANDLER_MODULES:
                    importlib.import_module("cloudtower.simulator." + name)
                _loaded.append(True)


def handler_for(op):
    """The function serving ``op``."""
    load_handler_modules()
    special = HANDLERS.get(op.name)
    if special is not None:
        return special
    item, is_list = body_item(op)
    fields = item.fields if item is not None else {}
    if op.path.startswith("/get-"):
        if op.path.endswith("-connection") and "where" in fields:
            return connection
        if "where" in fields and split_list(op.return_type)[1]:
            return query
        return fake_answer
    if op.form:
        return fake_mutation
    if "where" in fields:
        if "data" in fields and not op.name.startswith("delete_"):
            return update
        if op.name.startswith("delete_"):
            return delete
        return action
    if item is not None and not item.is_enum:
        if op.name.split("_")[0] in _CREATING:
            return create
        return act_on_named
    return fake_mutation


# the first word of the operations without ``where`` that make new rows
_CREATING = ("create", "clone", "copy", "convert", "import", "rebuild", "batch", "connect",
             "deploy", "add", "upload")
