"""Merge the shapes of every CloudTower version into one surface with version ranges.

The SDK serves every version from one install: its surface is the union of
all shapes, each name carrying the versions that have it. Where a name's
details changed, the newest version's details win (types, flags, paths);
what older versions called differently stays reachable:

- an operation whose method name changed while its HTTP method and path
  stayed becomes an alias of its successor (``renamed``);
- a body parameter renamed between versions is accepted under the old name
  too (``param_aliases``), and positional parameters an older version had
  after the newest ones are kept as optional positional parameters
  (``legacy_positional``).

A range is a tuple of ``(first, end)`` index pairs into ``versions``, ``end``
excluded and ``None`` for "still there in the newest".
"""
import collections
import glob
import os
import re

from codegen import shape as shapes
from codegen.shape import NULLABLE, REQUIRED


def version_key(version):
    return tuple(int(part) for part in re.findall(r"\d+", version))


def load_all(folder):
    """``[(version, shape)]`` of every ``*.json.gz`` in ``folder``, oldest first."""
    found = []
    for path in glob.glob(os.path.join(folder, "*.json.gz")):
        shape = shapes.read(path)
        found.append((shape["cloudtower"], shape))
    found.sort(key=lambda item: version_key(item[0]))
    return found


def to_range(indexes, count):
    """Sorted version indexes -> ``((first, end), ...)``; ``()`` for all versions."""
    indexes = sorted(indexes)
    if indexes == list(range(count)):
        return ()
    spans = []
    for index in indexes:
        if spans and spans[-1][1] == index:
            spans[-1][1] = index + 1
        else:
            spans.append([index, index + 1])
    return tuple((first, None if end == count else end) for first, end in spans)


class Field(object):
    def __init__(self, attr, key, type_, flags, enum, constraints, range_):
        self.attr = attr
        self.key = key
        self.type = type_
        self.required = bool(flags & REQUIRED)
        self.nullable = bool(flags & NULLABLE)
        self.enum = enum
        self.constraints = constraints or {}
        self.range = range_


class Model(object):
    def __init__(self, name, module):
        self.name = name
        self.module = module
        self.fields = []
        self.enum = None  # [(constant, value)]
        self.enum_type = None
        self.enum_ranges = {}  # constant -> range, for constants not in every version
        self.hints = {}  # string attribute -> the enum whose values it takes (see find_enum_hints)
        self.closed = False
        self.range = ()


class Operation(object):
    """One operation of the merged surface (the newest details of its method name)."""

    def __init__(self, name):
        self.name = name
        self.operation_id = None
        self.http_method = None
        self.path = None
        self.tags = []
        self.body_param = None
        self.body_type = None
        self.body_required = False
        self.form_params = []
        self.query_params = []
        self.header_params = []
        self.return_type = None
        self.auth = []
        self.range = ()
        self.param_aliases = []  # [(older parameter name, current name)]
        self.legacy_positional = []  # optional positional parameters older versions had
        self.successor = None  # for an older method name: the current one

    @property
    def content_type(self):
        if self.form_params:
            return "multipart/form-data"
        return "application/json" if self.body_param else None


class Api(object):
    def __init__(self, name, module):
        self.name = name
        self.module = module
        self.methods = []  # [(method name, Operation)]
        self.range = ()


class Merged(object):
    """The union of all versions: ``versions``, ``models``, ``apis``, ``operations``."""

    def __init__(self, versioned_shapes):
        self.versions = [version for version, _ in versioned_shapes]
        self.sources = dict((version, shape["source"]) for version, shape in versioned_shapes)
        self.version = self.versions[-1]
        count = len(self.versions)
        self._shapes = [shape for _, shape in versioned_shapes]
        self.models = collections.OrderedDict()
        self.operations = collections.OrderedDict()
        self.apis = collections.OrderedDict()
        self._merge_models(count)
        self._merge_operations(count)
        find_enum_hints(self.models)

    # -- models ------------------------------------------------------------

    def _merge_models(self, count):
        seen = collections.defaultdict(list)  # name -> [(index, entry)]
        for index, shape in enumerate(self._shapes):
            for name, entry in shape["models"].items():
                seen[name].append((index, entry))
        for name in sorted(seen):
            history = seen[name]
            newest = history[-1][1]
            model = Model(name, newest["module"])
            model.range = to_range([i for i, _ in history], count)
            if "enum" in newest:
                self._merge_enum(model, history, count)
            else:
                self._merge_fields(model, history, count)
            self.models[name] = model

    def _merge_enum(self, model, history, count):
        newest = history[-1][1]
        model.enum_type = newest.get("type", "str")
        constants = collections.OrderedDict()
        present = collections.defaultdict(list)
        for _, entry in reversed(history):
            for const, value in entry.get("enum", ()):
                constants.setdefault(const, value)
        for index, entry in history:
            for const, _ in entry.get("enum", ()):
                present[const].append(index)
        model.enum = list(constants.items())
        model_versions = [i for i, _ in history]
        for const in constants:
            if sorted(present[const]) != model_versions:
                model.enum_ranges[const] = to_range(present[const], count)

    def _merge_fields(self, model, history, count):
        newest_index, newest = history[-1]
        documented = [(i, e) for i, e in history if self._shapes[i]["source"] == "openapi"]
        fields = collections.OrderedDict()  # attr -> (index, field, entry)
        present = collections.defaultdict(list)
        order = []
        for index, entry in reversed(history):
            for position, field in enumerate(entry.get("fields", ())):
                attr = field[0]
                if attr not in fields:
                    fields[attr] = (index, field, entry)
                    order.append((index != newest_index, -index, position, attr))
        for index, entry in history:
            for field in entry.get("fields", ()):
                present[field[0]].append(index)
        model.closed = bool(documented and documented[-1][1].get("closed"))
        model_versions = [i for i, _ in history]
        # the newest version's order first, then fields only older versions had
        for _, _, _, attr in sorted(order):
            index, field, entry = fields[attr]
            flags = field[3]
            if self._shapes[index]["source"] != "openapi":
                flags = self._wheel_flags(attr, flags, documented)
            range_ = () if sorted(present[attr]) == model_versions else to_range(present[attr], count)
            model.fields.append(Field(attr, field[1], field[2], flags,
                                      entry.get("enums", {}).get(attr),
                                      entry.get("constraints", {}).get(attr), range_))

    @staticmethod
    def _wheel_flags(attr, flags, documented):
        """A release shows only "refuses None"; keep what a document says beyond that.

        A field the release lets be None keeps the newest document's nullable
        (and required, if the document says required and nullable); one the
        release refuses None for is required and not nullable.
        """
        if flags & REQUIRED:
            return REQUIRED
        for _, entry in reversed(documented):
            for field in entry.get("fields", ()):
                if field[0] == attr:
                    return field[3] if field[3] & NULLABLE else 0
        return flags

    # -- operations --------------------------------------------------------

    def _merge_operations(self, count):
        history = collections.defaultdict(list)  # method -> [(index, api class, module, entry)]
        classes = collections.defaultdict(list)  # api class -> [(index, module)]
        for index, shape in enumerate(self._shapes):
            for cls, api in shape["apis"].items():
                classes[cls].append((index, api["module"]))
                for name, entry in api["methods"].items():
                    history[name].append((index, cls, api["module"], entry))
        ids = {}
        for versions in history.values():
            for _, _, _, entry in versions:
                if "id" in entry:
                    ids[(entry["http"], entry["path"])] = entry["id"]
        for name in sorted(history):
            self.operations[name] = self._operation(name, history[name], count, ids)
        self._find_renames(history)
        for cls in sorted(classes):
            api = Api(cls, classes[cls][-1][1])
            api.range = to_range(sorted(set(i for i, _ in classes[cls])), count)
            for name in sorted(history):
                if any(c == cls for _, c, _, _ in history[name]):
                    api.methods.append((name, self.operations[name]))
            self.apis[cls] = api

    def _operation(self, name, versions, count, ids):
        newest = versions[-1][3]
        op = Operation(name)
        op.http_method = newest["http"]
        op.path = newest["path"]
        op.operation_id = newest.get("id") or ids.get((op.http_method, op.path)) \
            or "".join(part.capitalize() for part in name.split("_"))
        op.tags = [versions[-1][1][:-len("Api")]]
        if "body" in newest:
            op.body_param, op.body_type, op.body_required = newest["body"]
        op.form_params = [tuple(p) for p in newest.get("form", ())]
        op.query_params = [tuple(p) for p in newest.get("query", ())]
        op.header_params = [tuple(p) for p in newest.get("header", ())]
        op.return_type = newest.get("return")
        op.auth = list(newest.get("auth", ()))
        op.range = to_range(sorted(set(i for i, _, _, _ in versions)), count)
        current = positional_of(newest)
        accepted = set(current) | set(p[0] for p in op.form_params + op.query_params)
        aliases = collections.OrderedDict()
        legacy = []
        for _, _, _, entry in versions:
            older = positional_of(entry)
            if "body" in entry and op.body_param and entry["body"][0] != op.body_param:
                aliases[entry["body"][0]] = op.body_param
            if older[:len(current)] == current:
                for extra in older[len(current) + len(legacy):]:
                    if extra in accepted and extra not in legacy:
                        legacy.append(extra)
        op.param_aliases = list(aliases.items())
        op.legacy_positional = legacy
        return op

    def _find_renames(self, history):
        """A method gone while another with its HTTP method and path appeared is a rename.

        Both names then carry the versions of either: the route is the same,
        so each works wherever one of them existed.
        """
        by_route = collections.defaultdict(list)
        for name, op in self.operations.items():
            by_route[(op.http_method, op.path)].append(name)
        for names in by_route.values():
            if len(names) < 2:
                continue
            names.sort(key=lambda n: self.operations[n].range and self.operations[n].range[-1][1] or 10 ** 6)
            successor = self.operations[names[-1]]
            count = len(self.versions)
            for name in names[:-1]:
                older = self.operations[name]
                if older.range and older.range[-1][1] is not None:
                    older.successor = successor.name
                    union = set(expand(older.range, count)) | set(expand(successor.range, count))
                    older.range = successor.range = to_range(union, count)


_FILTER_SUFFIX = re.compile(r"_(not_in|in|not)$")


def find_enum_hints(models):
    """String fields that take an enum's values although the schema says ``str``.

    ``AlertWhereInput.severity`` is a plain string, yet its values are those of
    ``SeverityEnum``, which other models use for their ``severity``. A string
    field (or its ``_in``/``_not``/``_not_in`` filter) is tied to an enum when
    the enum is named after the field (``severity`` -> ``SeverityEnum`` or
    ``Severity``) and some model types a field of that name with that enum.
    """
    typed = collections.defaultdict(set)  # field name -> enums it is typed with
    for model in models.values():
        for field in model.fields:
            inner = field.type[5:-1] if field.type.startswith("list[") else field.type
            target = models.get(inner)
            if target is not None and target.enum is not None:
                typed[field.attr].add(inner)
    for model in models.values():
        for field in model.fields:
            inner = field.type[5:-1] if field.type.startswith("list[") else field.type
            if inner != "str" or field.enum:
                continue
            base = _FILTER_SUFFIX.sub("", field.attr)
            camel = "".join(part.capitalize() for part in base.split("_"))
            for candidate in (camel + "Enum", camel):
                if candidate in typed.get(base, ()):
                    model.hints[field.attr] = candidate
                    break


def expand(range_, count):
    """The version indexes of a range."""
    if not range_:
        return list(range(count))
    return [i for first, end in range_ for i in range(first, count if end is None else end)]


def positional_of(entry):
    if "body" in entry:
        return [entry["body"][0]]
    return [p[0] for p in list(entry.get("form", ())) + list(entry.get("query", ())) if p[3]]


def load(folder):
    return Merged(load_all(folder))
