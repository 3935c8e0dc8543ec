# coding: utf-8
"""The base of the generated models and enums, and their (de)serialization.

A generated model is a table: ``openapi_types`` (attribute -> type string such
as ``list[NestedCluster]``) and ``attribute_map`` (attribute -> JSON key), plus
the required, nullable and enum facts used for validation. Reading JSON into
models runs a per-class plan compiled once from those tables, so a response
of thousands of objects costs little more than ``json.loads``.

``Model.describe()`` is the public way to read what a class knows of its
fields (``ModelInfo`` and ``FieldInfo``); validation, the simulator and
``help()`` use it.

The tables (format 2) come from the generated package, which registers itself
with :func:`register_tables`: a module ``<package>._enum_tables`` and
``<package>._tables``, each a ``TABLES`` dict of class name -> JSON text, and
``OP_SETS``. One table is:

- an enum: ``{"v": [[constant, value]...], "n": count}``, the first ``count``
  pairs giving the allowable values and the rest other names of them;
  ``"g": {constant: range}`` for constants not in every version;
- a model: ``{"f": [field...]}``, a field being ``[attribute, type, flags,
  JSON key]`` (flags 1 = required, 2 = nullable; trailing defaults -- 0 and a
  key equal to the attribute -- left out), or a where-input's filter family
  ``[op set index, attribute, type, flags(, JSON key)]``, which stands for the
  field and its ``<attribute>_<op>`` filters for each op of ``OP_SETS[index]``
  (``list[type]`` for ``in``/``not_in``); optional ``"e"`` {attribute: inline
  enum values}, ``"c"`` {attribute: constraints}, ``"x": 1`` (closed: no
  undeclared keys), ``"g"`` {attribute: range} (a family's range is its first
  field's) and ``"h"`` {attribute: enum} (a string field taking an enum's values);
- either: ``"r": range`` when the class is not in every version. A range is
  ``[[first, end]...]``, indexes into ``cloudtower.versions.known_versions()``,
  ``end`` excluded and null for "still there".
"""
import collections
import datetime
import json
import numbers
import re
import threading

import six

from cloudtower.exceptions import ApiTypeError, ApiValueError

# the type strings of lists and dicts: "list[Vm]", "dict(str, int)"; the one
# definition the SDK, the simulator and the tests share
LIST_TYPE = re.compile(r"^list\[(.*)\]$")
DICT_TYPE = re.compile(r"^dict\(([^,]*), (.*)\)$")
_LIST, _DICT = LIST_TYPE, DICT_TYPE
PRIMITIVE_TYPES = frozenset(["str", "int", "float", "bool", "object", "file"])

_class_cache = {}

try:
    RecursionError_ = RecursionError
except NameError:  # Python 2 raises RuntimeError for this
    RecursionError_ = RuntimeError
_converter_cache = {}
_set_attribute = object.__setattr__


TABLE_FORMAT = 2
_registry = {}  # the generated package: "builder", "modules"

FieldInfo = collections.namedtuple("FieldInfo", [
    "name",         # the attribute
    "json_key",     # the key on the wire
    "type",         # the type string: str, int, list[Vm], dict(str, str), a model name
    "required",     # the schema requires it (a request may still leave it out)
    "nullable",     # None is a value
    "enum",         # the values it allows (inline or its enum type's), or None
    "enum_hint",    # for a string field: the enum whose values it takes, or None
    "constraints",  # {"maximum": ..., "minLength": ..., "pattern": ...}
    "versions",     # the CloudTower versions that have it (cloudtower.versions); () = all
    "model",        # the model or enum its values are (list items' for a list), or None
    "many",         # a list
])
ModelInfo = collections.namedtuple("ModelInfo", [
    "name",      # the class name
    "fields",    # FieldInfo of each field, in the schema's order
    "closed",    # the schema allows no keys but its own
    "versions",  # the CloudTower versions that have the class; () = all
])


def register_tables(package, modules, table_format):
    """Called by the generated models package when it is imported: its class
    name -> module table, and the builder of its classes. Returns the builder."""
    if table_format != TABLE_FORMAT:
        raise ImportError("%s holds tables of format %r; this cloudtower.model reads format %d "
                          "(regenerate with `python -m codegen`)" % (package, table_format, TABLE_FORMAT))
    builder = ModelBuilder(package, modules)
    _registry.update(builder=builder, modules=modules)
    return builder


def model_class(name):
    """The model or enum class named ``name`` (built on first use), or None."""
    cls = _class_cache.get(name)
    if cls is None:
        modules = _registry.get("modules")
        if modules is None or name not in modules:
            return None
        # the builder, not the package attribute: reading a response that
        # holds a removed model is no reason to warn the user about it
        cls = _class_cache[name] = _registry["builder"](name)
    return cls


class ModelBuilder(object):
    """Makes model and enum classes from the generated tables, once each.

    ``cloudtower/models/_tables.py`` (and ``_enum_tables.py``) hold every
    class as a compact JSON table; a class is built the first time its name is read, so importing
    the package costs nothing for the 1,900 classes a script does not use.
    """

    def __init__(self, package, modules):
        self.package = package
        self.modules = modules
        self.built = {}
        self.lock = threading.Lock()

    def is_enum_name(self, name):
        """Whether ``name`` is an enum's (from the small enum table, building nothing)."""
        import importlib
        return name in importlib.import_module(self.package + "._enum_tables").TABLES

    def __call__(self, name):
        cls = self.built.get(name)
        if cls is None:
            with self.lock:
                cls = self.built.get(name)
                if cls is None:
                    import importlib
                    enum_tables = importlib.import_module(self.package + "._enum_tables")
                    table, op_sets = enum_tables.TABLES.get(name), ()
                    if table is None:
                        tables = importlib.import_module(self.package + "._tables")
                        table, op_sets = tables.TABLES[name], tables.OP_SETS
                    cls = build_class(name, table, self.package + "." + self.modules[name], op_sets)
                    self.built[name] = cls
        return cls


def build_class(name, packed, module, op_sets=()):
    """A model or enum class from its table (see codegen/emit.py for the format)."""
    table = json.loads(packed)
    ranges = dict((key, _as_range(value)) for key, value in table.get("g", {}).items())
    if "v" in table:
        attrs = dict((str(const), value) for const, value in table["v"])
        for const, range_ in ranges.items():
            if range_[-1][1] is not None:
                attrs[str(const)] = _RemovedConstant(name, const, attrs[const], range_)
        attrs["allowable_values"] = [value for _, value in table["v"][:table["n"]]]
        attrs["openapi_types"] = {}
        attrs["attribute_map"] = {}
        base = Enum
        doc = "CloudTower enum %s: its values are plain strings." % name
    else:
        # a field is [attribute, type, flags, JSON key], trailing defaults left out
        fields = []
        for packed_field in table["f"]:
            if isinstance(packed_field[0], int):
                family = _filter_family(packed_field, op_sets)
                fields.extend(family)
                if family[0][0] in ranges:
                    # a filter family shares its first field's range
                    for member in family[1:]:
                        ranges[member[0]] = ranges[family[0][0]]
            else:
                fields.append(packed_field + [0, packed_field[0]][len(packed_field) - 2:])
        attrs = {
            "openapi_types": dict((f[0], f[1]) for f in fields),
            "attribute_map": dict((f[0], f[3]) for f in fields),
            "_required": tuple(f[0] for f in fields if f[2] & 1),
            "_nullable": tuple(f[0] for f in fields if f[2] & 2),
            "_enum_values": table.get("e", {}),
            "_constraints": table.get("c", {}),
            "_closed": bool(table.get("x")),
            "_field_versions": ranges,
            "_enum_hints": table.get("h", {}),
        }
        attrs["_removed"] = dict((attr, r) for attr, r in attrs["_field_versions"].items()
                                 if r[-1][1] is not None)
        base = Model
        doc = _model_doc(name, fields, table.get("e", {}), ranges)
        attrs["__signature__"] = _Signature()
    attrs["_versions"] = _as_range(table.get("r", ()))
    attrs["__module__"] = module
    attrs["__doc__"] = doc
    return type(str(name), (base,), attrs)


def _model_doc(name, fields, enums, ranges):
    """The class docstring: every field with its type and JSON key, for ``help()``."""
    lines = ["CloudTower model %s." % name, "",
             "Construct it with keyword arguments; each field below is an attribute.",
             "Fields (* required; JSON key where it differs; CloudTower versions where not all):", ""]
    for attr, type_name, flags, key in fields:
        notes = []
        if key != attr:
            notes.append('JSON "%s"' % key)
        if attr in enums:
            notes.append("one of %s" % ", ".join(str(v) for v in enums[attr]))
        if attr in ranges:
            notes.append("versions %s" % _range_text(ranges[attr]))
        lines.append("    %s: %s%s%s" % (attr, type_name, " *" if flags & 1 else "",
                                         "  (%s)" % "; ".join(notes) if notes else ""))
    return "\n".join(lines)


def _range_text(range_):
    from cloudtower.versions import describe
    return describe(range_)


class _Signature(object):
    """``inspect.signature(ModelClass)``: its keyword parameters, made on first use."""

    def __get__(self, instance, owner):
        if instance is not None:
            raise AttributeError("__signature__")
        cached = owner.__dict__.get("_signature_cache")
        if cached is None:
            import inspect  # only when asked: inspect is a slow import
            parameters = [inspect.Parameter(attr, inspect.Parameter.KEYWORD_ONLY, default=None)
                          for attr in sorted(owner.openapi_types)]
            cached = inspect.Signature(parameters)
            owner._signature_cache = cached
        return cached


class ModelList(list):
    """A list of models as an API call answers it: a plain ``list``, shown as a
    table in Jupyter (``_repr_html_``) and briefly in IPython."""

    def _repr_html_(self):
        if not self or not all(isinstance(item, Model) for item in self):
            return None
        columns = [c for c in ("name", "id", "status") if c in self[0].openapi_types]
        for item in self[:50]:
            for attr in item.openapi_types:
                value = item.__dict__.get(attr)
                if attr not in columns and value is not None and not isinstance(value, (list, dict)):
                    columns.append(attr)
        columns = columns[:12]
        escape = _html_escape
        rows = ["<tr>%s</tr>" % "".join("<th>%s</th>" % escape(c) for c in columns)]
        for item in self[:200]:
            rows.append("<tr>%s</tr>" % "".join(
                "<td>%s</td>" % escape(_brief(item.__dict__.get(c))) for c in columns))
        more = "" if len(self) <= 200 else "<p>%d more rows</p>" % (len(self) - 200)
        return "<p>%d %s</p><table>%s</table>%s" % (len(self), escape(type(self[0]).__name__),
                                                    "".join(rows), more)

    def _repr_pretty_(self, printer, cycle):
        if cycle:
            printer.text("[...]")
            return
        shown = [_summary(item) if isinstance(item, Model) else repr(item) for item in self[:20]]
        more = ["... %d more" % (len(self) - 20)] if len(self) > 20 else []
        printer.text("[%s]" % ",\n ".join(shown + more))


def _html_escape(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _brief(value):
    if value is None:
        return ""
    if isinstance(value, Model):
        ident = value.__dict__.get("name") or value.__dict__.get("id")
        return "%s(%s)" % (type(value).__name__, ident) if ident else type(value).__name__
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _summary(model, limit=8):
    """``Vm(id='...', name='web-1', status='RUNNING', ... 20 more)``: one line."""
    shown, hidden = [], 0
    for attr in model.openapi_types:
        value = model.__dict__.get(attr)
        if value is None:
            continue
        if len(shown) >= limit:
            hidden += 1
            continue
        if isinstance(value, Model):
            text = _brief(value)
        elif isinstance(value, list):
            text = "[%d]" % len(value)
        else:
            text = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        shown.append("%s=%s" % (attr, text))
    if hidden:
        shown.append("... %d more" % hidden)
    return "%s(%s)" % (type(model).__name__, ", ".join(shown))


def _warn_removed_field(cls, attr):
    from cloudtower.versions import removed_in, warn_removed
    warn_removed("%s.%s" % (cls.__name__, attr),
                 "%s.%s was removed in CloudTower %s; it still works with older CloudTowers"
                 % (cls.__name__, attr, removed_in(cls._removed[attr])), stacklevel=3)


def _as_range(spans):
    return tuple((first, end) for first, end in spans)


class _RemovedConstant(object):
    """An enum constant the newest CloudTower no longer has: its value, with one warning."""

    def __init__(self, enum_name, const, value, range_):
        self.enum_name = enum_name
        self.const = const
        self.value = value
        self.range = range_

    def __get__(self, instance, owner):
        from cloudtower.versions import removed_in, warn_removed
        warn_removed("%s.%s" % (self.enum_name, self.const),
                     "%s.%s was removed in CloudTower %s; it still works with older CloudTowers"
                     % (self.enum_name, self.const, removed_in(self.range)), stacklevel=2)
        return self.value


def _filter_family(packed, op_sets):
    """Expand ``[op set, attribute, type, flags(, key)]``: a field and its filters."""
    ops, attr, type_name, flags = packed[:4]
    key = packed[4] if len(packed) > 4 else attr
    fields = [[attr, type_name, flags, key]]
    for op in op_sets[ops]:
        op_type = "list[%s]" % type_name if op in ("in", "not_in") else type_name
        fields.append([attr + "_" + op, op_type, flags, key + "_" + op])
    return fields


def is_enum(cls):
    return isinstance(cls, type) and issubclass(cls, Enum)


class Model(object):
    """A CloudTower object: keyword construction, attributes, ``to_dict()``.

    As in the official SDK, a model checks the values it is given -- in the
    constructor and when an attribute is assigned -- and nothing else: a
    required field left out is simply not sent (CloudTower decides), while
    ``None`` given for it, or a value outside the field's enum, bounds,
    length or pattern, raises ``ApiValueError`` naming the field. Turn the
    checks off with ``Configuration.client_side_validation = False``.
    Objects read from responses are never checked.
    """

    openapi_types = {}
    attribute_map = {}
    _required = ()  # attributes that must not be None when given
    _nullable = ()
    _enum_values = {}  # attribute -> allowed values of an inline enum
    _constraints = {}  # attribute -> {"minimum": ..., "maxLength": ...}
    _closed = False  # the schema forbids properties it does not declare
    _versions = ()  # the CloudTower versions that have this class (cloudtower.versions)
    _field_versions = {}  # attribute -> versions, for fields not in every version of the class
    _removed = {}  # the same, for fields the newest CloudTower no longer has
    _enum_hints = {}  # string attribute -> the enum whose values it takes

    def __init__(self, **kwargs):
        config = kwargs.pop("local_vars_configuration", None)
        types = self.openapi_types
        for key in kwargs:
            if key not in types:
                raise ApiTypeError("%s() got an unexpected keyword argument '%s'"
                                   % (type(self).__name__, key))
            if key in self._removed:
                _warn_removed_field(type(self), key)
        values = dict.fromkeys(types)
        values.update(kwargs)
        if config is not None:
            values["_configuration"] = config
        self.__dict__.update(values)
        if config is None:
            from cloudtower.configuration import Configuration
            config = Configuration._shared_default()
        if kwargs and config.client_side_validation:
            cls = type(self)
            checks = cls.__dict__.get("_checks")
            if checks is None:
                checks = cls._compile_checks()
            for key, value in kwargs.items():
                check = checks.get(key)
                if check is not None:
                    _check_value(cls.__name__, key, value, check)

    def __setattr__(self, name, value):
        if name in self.openapi_types:
            config = self.__dict__.get("_configuration")
            if config is None:
                from cloudtower.configuration import Configuration
                config = Configuration._shared_default()
            if config.client_side_validation:
                cls = type(self)
                checks = cls.__dict__.get("_checks")
                check = (checks if checks is not None else cls._compile_checks()).get(name)
                if check is not None:
                    _check_value(cls.__name__, name, value, check)
        object.__setattr__(self, name, value)

    @classmethod
    def describe(cls):
        """What the class knows of its fields: a ``ModelInfo``, made once."""
        info = cls.__dict__.get("_info")
        if info is None:
            fields = []
            required, nullable = frozenset(cls._required), frozenset(cls._nullable)
            for attr, type_name in cls.openapi_types.items():
                inner = _LIST.match(type_name)
                item_type = inner.group(1) if inner else type_name
                target = model_class(item_type) if item_type not in PRIMITIVE_TYPES else None
                enum = cls._enum_values.get(attr)
                if enum is None and target is not None and is_enum(target):
                    enum = target.allowable_values
                fields.append(FieldInfo(
                    attr, cls.attribute_map.get(attr, attr), type_name, attr in required,
                    attr in nullable, tuple(enum) if enum is not None else None,
                    cls._enum_hints.get(attr), dict(cls._constraints.get(attr) or {}),
                    cls._field_versions.get(attr, ()), target.__name__ if target is not None else None,
                    inner is not None))
            info = ModelInfo(cls.__name__, tuple(fields), bool(cls._closed), cls._versions)
            cls._info = info
        return info

    def validate(self):
        """Check every field that holds a value, as the constructor checks what
        it is given; raise ``ApiValueError`` naming the field. A required field
        that is not set passes: whether it may be left out is CloudTower's call."""
        cls = type(self)
        name = cls.__name__
        checks = cls.__dict__.get("_checks")
        if checks is None:
            checks = cls._compile_checks()
        values = self.__dict__
        for attr, check in checks.items():
            value = values.get(attr)
            if value is not None:
                _check_value(name, attr, value, check)

    @classmethod
    def _compile_checks(cls):
        """{attribute: (must not be None, allowed values or None, is a list,
        constraints, "number"/"bool" or None)} for the attributes that have
        anything to check."""
        checks = {}
        required = frozenset(cls._required)
        nullable = frozenset(cls._nullable)
        for attr, type_name in cls.openapi_types.items():
            inner = _LIST.match(type_name)
            allowed = cls._enum_values.get(attr)
            inline = allowed is not None
            if allowed is None and type_name not in PRIMITIVE_TYPES:
                target = model_class(inner.group(1) if inner else type_name)
                if target is not None and is_enum(target):
                    allowed = target.allowable_values
            # like the official SDK: None fails a required field and an inline enum
            not_none = attr not in nullable and (attr in required or inline)
            constraints = cls._constraints.get(attr) or None
            # numbers and booleans: no CloudTower version typed these fields otherwise
            kind = _PRIMITIVE_KINDS.get(inner.group(1) if inner else type_name)
            if not_none or allowed is not None or constraints or kind:
                checks[attr] = (not_none, allowed, inner is not None, constraints, kind)
        cls._checks = checks
        return checks

    # -- reading JSON ------------------------------------------------------

    @classmethod
    def _compile(cls, owned=False):
        """Build and cache this class's plan for reading a JSON object."""
        same, renamed, converted = [], [], []
        for attr, type_name in cls.openapi_types.items():
            key = cls.attribute_map.get(attr, attr)
            if key == attr:
                same.append(key)
            else:
                renamed.append((key, attr))
            convert = converter(type_name, owned)
            if convert is not None:
                converted.append((attr, convert))
        plan = (tuple(same), tuple(renamed), tuple(converted),
                frozenset(cls.attribute_map.get(a, a) for a in cls.openapi_types))
        setattr(cls, "_owned_plan" if owned else "_plan", plan)
        return plan

    @classmethod
    def from_json(cls, data):
        """Build an instance from decoded JSON, leniently: never fails on
        unknown fields (kept in ``_unknown_fields``), odd types or nulls.
        ``data`` is left as it was."""
        plan = cls.__dict__.get("_plan") or cls._compile()
        return cls._instance(plan, _copy_values(plan, data))

    @classmethod
    def _adopt(cls, data):
        """``from_json`` for a dict the SDK owns (fresh from ``json.loads``).

        When the object has exactly the declared keys -- what CloudTower
        sends -- the dict itself becomes the instance's ``__dict__``, which
        saves copying every field of every object of a large response.
        """
        plan = cls.__dict__.get("_owned_plan") or cls._compile(owned=True)
        known = plan[3]
        if len(data) == len(known) and known.issuperset(data):
            for key, attr in plan[1]:
                data[attr] = data.pop(key)
            values = data
        else:
            values = _copy_values(plan, data)
        # _instance, inlined: this runs once per object of a large answer
        for attr, convert in plan[2]:
            value = values[attr]
            if value is not None:
                values[attr] = convert(value)
        obj = cls.__new__(cls)
        _set_attribute(obj, "__dict__", values)
        return obj

    @classmethod
    def _instance(cls, plan, values):
        for attr, convert in plan[2]:
            value = values[attr]
            if value is not None:
                values[attr] = convert(value)
        obj = cls.__new__(cls)
        _set_attribute(obj, "__dict__", values)  # past Model.__setattr__: nothing to check
        return obj

    # -- writing -----------------------------------------------------------

    def to_dict(self, serialize=False):
        """The model as plain data; JSON keys instead of attribute names with ``serialize=True``."""
        try:
            return self._to_dict(serialize)
        except RecursionError_:
            raise ApiValueError("%s holds data nested too deeply to convert" % type(self).__name__)

    def _to_dict(self, serialize):
        result = {}
        amap = self.attribute_map
        for attr in self.openapi_types:
            value = getattr(self, attr, None)
            key = amap.get(attr, attr) if serialize else attr
            result[key] = _plain(value, serialize)
        return result

    def to_str(self):
        import pprint  # only when printing: it costs several ms to import
        try:
            return pprint.pformat(self.to_dict())
        except (ApiValueError, RecursionError_):
            return "<%s: data nested too deeply to print>" % type(self).__name__

    def __repr__(self):
        return self.to_str()

    def _repr_pretty_(self, printer, cycle):
        # IPython and Jupyter: one line of the fields that are set; print()
        # and repr() stay what the official SDK prints
        printer.text("%s(...)" % type(self).__name__ if cycle else _summary(self))

    def __eq__(self, other):
        if type(other) is not type(self):
            return False
        return self.to_dict() == other.to_dict()

    def __ne__(self, other):
        return not self == other

    __hash__ = None


class Enum(Model):
    """The base of generated enums: string constants and ``allowable_values``.

    Values read from responses stay plain strings, so a value a newer
    CloudTower adds is kept as it is, never an error.
    """

    allowable_values = []


def _check_value(model_name, attr, value, check):
    """Raise ``ApiValueError`` if ``value`` breaks what the field allows
    (``ApiTypeError`` for a value of the wrong type)."""
    not_none, allowed, many, constraints, kind = check
    if value is None:
        if not_none:
            raise ApiValueError("Invalid value for `%s` of %s, must not be `None`"
                                % (attr, model_name))
        return
    if kind is not None:
        for item in value if many and isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, bool) != (kind == "bool") or \
                    not isinstance(item, (bool, numbers.Number)):
                raise ApiTypeError("Invalid type for `%s` of %s: expected %s, got %s" % (
                    attr, model_name, "a number" if kind == "number" else "a boolean",
                    type(item).__name__))
    if allowed is not None:
        items = value if many and isinstance(value, (list, tuple)) else [value]
        for item in items:
            if item not in allowed:
                from cloudtower._spelling import allowed_text, quoted
                hint = allowed_text(item, allowed) if not _SECRET_FIELD.search(attr) \
                    else "must be one of [%s]" % ", ".join(quoted(v) for v in allowed)
                raise ApiValueError("Invalid value for `%s` of %s (%s), %s"
                                    % (attr, model_name, _shown(attr, item), hint))
    if constraints:
        problem = _constraint_problem(value, constraints)
        if problem is not None:
            raise ApiValueError("Invalid value for `%s` of %s (%s), %s"
                                % (attr, model_name, _shown(attr, value), problem))


_PRIMITIVE_KINDS = {"int": "number", "float": "number", "bool": "bool"}

_SECRET_FIELD = re.compile(r"pass(word|wd|phrase)?|secret|token|credential|private|cookie|auth",
                           re.IGNORECASE)


def _shown(attr, value):
    """A value for a message: as itself, or only its type for a field that may hold a secret."""
    if _SECRET_FIELD.search(attr):
        return "a value of type %s" % type(value).__name__
    from cloudtower._spelling import quoted
    return quoted(value)


def _constraint_problem(value, constraints):
    """What is wrong with ``value`` under the schema's bounds, lengths and
    pattern (worded as the official SDK words it), or None."""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        maximum = constraints.get("maximum")
        if maximum is not None:
            if constraints.get("exclusiveMaximum") and value >= maximum:
                return "must be a value less than `%s`" % maximum
            if value > maximum:
                return "must be a value less than or equal to `%s`" % maximum
        minimum = constraints.get("minimum")
        if minimum is not None:
            if constraints.get("exclusiveMinimum") and value <= minimum:
                return "must be a value greater than `%s`" % minimum
            if value < minimum:
                return "must be a value greater than or equal to `%s`" % minimum
    elif isinstance(value, six.string_types):
        limit = constraints.get("maxLength")
        if limit is not None and len(value) > limit:
            return "length must be less than or equal to `%s`" % limit
        limit = constraints.get("minLength")
        if limit is not None and len(value) < limit:
            return "length must be greater than or equal to `%s`" % limit
        pattern = constraints.get("pattern")
        if pattern is not None and not _search(pattern, value):
            return "must follow the pattern `%s`" % pattern
    elif isinstance(value, (list, tuple)):
        limit = constraints.get("maxItems")
        if limit is not None and len(value) > limit:
            return "number of items must be less than or equal to `%s`" % limit
        limit = constraints.get("minItems")
        if limit is not None and len(value) < limit:
            return "number of items must be greater than or equal to `%s`" % limit
    return None


_DELIMITED = re.compile(r"^/(.*)/([imsx]*)$", re.S)
_FLAGS = {"i": re.I, "m": re.M, "s": re.S, "x": re.X}


def _search(pattern, value):
    """``re.search`` for a schema pattern; ``/body/flags`` is unwrapped as openapi-generator does."""
    delimited = _DELIMITED.match(pattern)
    flags = 0
    if delimited:
        pattern = delimited.group(1)
        for letter in delimited.group(2):
            flags |= _FLAGS[letter]
    return re.search(pattern, value, flags)


def _copy_values(plan, data):
    """The attribute values of ``data`` in a new dict; undeclared keys go to
    ``_unknown_fields`` so that nothing a newer CloudTower sends is lost."""
    same, renamed, _, known = plan
    get = data.get
    values = {key: get(key) for key in same}
    for key, attr in renamed:
        values[attr] = get(key)
    if not known.issuperset(data):
        values["_unknown_fields"] = dict((k, v) for k, v in data.items() if k not in known)
    return values


def _plain(value, serialize):
    if isinstance(value, Model):
        return value._to_dict(serialize)
    if isinstance(value, (list, tuple)):
        return [_plain(item, serialize) for item in value]
    if isinstance(value, dict):
        return dict((key, _plain(item, serialize)) for key, item in value.items())
    return value


# -- converters: type string -> function(JSON value) -> Python value --------

def converter(type_name, owned=False):
    """A function turning JSON for ``type_name`` into Python, or None when
    the JSON value is already right (strings, numbers, enums, free objects).

    With ``owned=True`` the function may reuse the dicts it is given (they
    must be fresh from ``json.loads``, seen by no one else)."""
    cache_key = (type_name, owned)
    if cache_key in _converter_cache:
        return _converter_cache[cache_key]
    result = None
    if type_name in PRIMITIVE_TYPES:
        result = None
    elif type_name == "datetime":
        result = _parse_datetime
    elif type_name == "date":
        result = _parse_date
    else:
        inner = _LIST.match(type_name)
        pair = _DICT.match(type_name)
        if inner:
            item = converter(inner.group(1), owned)
            result = _model_list_converter(item) if isinstance(item, _ModelConverter) \
                else _list_converter(item)
        elif pair:
            result = _dict_converter(converter(pair.group(2), owned))
        elif _is_model_name(type_name):
            result = _ModelConverter(type_name, owned)
    _converter_cache[cache_key] = result
    return result


def _list_converter(item_converter):
    if item_converter is None:
        return None

    def convert_list(value):
        if not isinstance(value, list):
            return value
        return [item_converter(item) if item is not None else None for item in value]
    return convert_list


def _model_list_converter(item_converter):
    """A list of models: each item built by the class's own reader, without a
    converter call per item."""
    def convert_model_list(value):
        if not isinstance(value, list):
            return value
        build = item_converter.reader()
        if build is False:
            return value
        return [build(item) if isinstance(item, dict) else item for item in value]
    return convert_model_list


def _is_model_name(name):
    """Whether JSON for ``name`` becomes a model object: a known class that is no enum."""
    modules = _registry.get("modules")
    return modules is not None and name in modules and not _registry["builder"].is_enum_name(name)


def _dict_converter(item_converter):
    if item_converter is None:
        return None

    def convert_dict(value):
        if not isinstance(value, dict):
            return value
        return dict((key, item_converter(item) if item is not None else None)
                    for key, item in value.items())
    return convert_dict


class _ModelConverter(object):
    """Resolves its class on first use, so compiling a plan imports nothing."""

    def __init__(self, name, owned):
        self.name = name
        self.owned = owned
        self.build = None

    def reader(self):
        """The class's reader for JSON objects, or False when the type has no model class."""
        build = self.build
        if build is None:
            cls = model_class(self.name)
            if cls is None or is_enum(cls):
                build = False
            else:
                build = cls._adopt if self.owned else cls.from_json
            self.build = build
        return build

    def __call__(self, value):
        build = self.build
        if build is None:
            build = self.reader()
        if build is False or not isinstance(value, dict):
            return value
        return build(value)


def _parse_datetime(value):
    if not isinstance(value, six.string_types):
        return value
    try:
        from dateutil.parser import parse
        return parse(value)
    except (ValueError, OverflowError, ImportError):
        return value


def _parse_date(value):
    parsed = _parse_datetime(value)
    return parsed.date() if isinstance(parsed, datetime.datetime) else parsed


# -- serialization -----------------------------------------------------------

def sanitize(obj):
    """Turn request data (dicts, lists, models in any mix) into JSON-ready data."""
    try:
        return _sanitize(obj)
    except RecursionError_:
        raise ApiValueError("request data is nested too deeply to send")
    except _Unsendable as error:
        # found again on this (rare) path only, so that sending stays fast; the
        # message names where the value is and its type, never the value
        path = _unsendable_path(obj, [])
        raise ApiTypeError("cannot send a value of type %s (send text, a number, a boolean, "
                           "a list, a dict or a model)" % error.type_name, path_to_item=path)


class _Unsendable(Exception):
    def __init__(self, type_name):
        Exception.__init__(self, type_name)
        self.type_name = type_name


def _unsendable_path(obj, path):
    """Where in ``obj`` the first value that cannot be sent is (keys and indexes)."""
    if obj is None or isinstance(obj, (six.string_types, bool, six.integer_types, float,
                                       datetime.datetime, datetime.date)):
        return None
    if isinstance(obj, Model):
        items = [(obj.attribute_map.get(attr, attr), obj.__dict__.get(attr))
                 for attr in obj.openapi_types]
    elif isinstance(obj, dict):
        items = list(obj.items())
    elif isinstance(obj, (list, tuple)):
        items = list(enumerate(obj))
    else:
        return path
    for key, value in items:
        found = _unsendable_path(value, path + [key])
        if found is not None:
            return found
    return None


def _sanitize(obj):
    if obj is None or isinstance(obj, (six.string_types, bool, six.integer_types, float)):
        return obj
    if isinstance(obj, Model):
        amap = obj.attribute_map
        result = {}
        values = obj.__dict__
        for attr in obj.openapi_types:
            value = values.get(attr)
            if value is not None:
                result[amap.get(attr, attr)] = _sanitize(value)
        return result
    if isinstance(obj, dict):
        return dict((key, _sanitize(value)) for key, value in obj.items())
    if isinstance(obj, (list, tuple)):
        return [_sanitize(item) for item in obj]
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    raise _Unsendable(type(obj).__name__)
