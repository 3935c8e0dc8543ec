# coding: utf-8
"""Request validation from the model metadata.

Checks what the schema says and nothing more: types, required fields,
enum values, the few numeric/length constraints, and unknown properties
where the schema is closed (``additionalProperties: false``); as Prisma
does, the ``AND``/``OR``/``NOT`` of a where-input take one object as well
as a list. The first problem found is reported as a 400 naming the field
path, e.g. ``body[0].vm_nics[1].model``.
"""
import numbers

import six

from cloudtower.simulator.errors import bad_request
from cloudtower.simulator.schema import dict_value_type, schema, split_list

# the logical operators of a *WhereInput
_LOGICAL = ("AND", "OR", "NOT")
_NAMES = {"str": "a string", "int": "an integer", "float": "a number", "bool": "a boolean",
          "datetime": "a date-time string", "date": "a date string"}


def _path(path, key):
    if isinstance(key, six.integer_types):
        return "%s[%d]" % (path, key)
    return "%s.%s" % (path, key) if path else key


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, six.string_types):
        return "a string"
    if isinstance(value, numbers.Number):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def check(type_name, value, path="body", version=None):
    """Raise a 400 ``ApiError`` if ``value`` does not fit ``type_name``.

    ``version`` (an index of ``cloudtower.versions.known_versions()``): check
    against that CloudTower version's schemas, where fields it lacks do not exist.
    """
    inner, many = split_list(type_name)
    if many:
        if not isinstance(value, list):
            raise bad_request("%s must be an array, got %s" % (path, _kind(value)), path)
        for index, item in enumerate(value):
            if item is None:
                raise bad_request("%s must not be null" % _path(path, index), _path(path, index))
            check(inner, item, _path(path, index), version)
        return
    value_type = dict_value_type(type_name)
    if value_type is not None:
        if not isinstance(value, dict):
            raise bad_request("%s must be an object, got %s" % (path, _kind(value)), path)
        for key, item in value.items():
            if item is not None:
                check(value_type, item, _path(path, key), version)
        return
    if type_name in ("object", "file"):
        return
    if type_name in _NAMES:
        _check_primitive(type_name, value, path)
        return
    model = schema(type_name)
    if model is None:
        return
    if model.is_enum:
        if value not in model.values:
            raise bad_request("%s must be one of %s, got %r" % (
                path, ", ".join(model.values), value), path)
        return
    if not isinstance(value, dict):
        raise bad_request("%s must be an object (%s), got %s" % (path, type_name, _kind(value)), path)
    fields = model.fields
    for key in model.required:
        if value.get(key) is None and not fields[key].nullable and _has(fields[key], version):
            raise bad_request("%s is required" % _path(path, key), _path(path, key))
    for key in sorted(value):
        item = value[key]
        field = fields.get(key)
        if field is not None and not _has(field, version):
            field = None  # a field of another CloudTower version
        where = _path(path, key)
        if field is None:
            if model.closed:
                raise bad_request("%s is not a property of %s" % (where, type_name), where)
            continue
        if item is None:
            if field.nullable:
                continue
            raise bad_request("%s must not be null" % where, where)
        if field.enum is not None and field.inner not in _NAMES:
            # enum-typed fields: check values here to name the field once
            items = item if field.many and isinstance(item, list) else [item]
            if field.many and not isinstance(item, list):
                raise bad_request("%s must be an array, got %s" % (where, _kind(item)), where)
            for index, one in enumerate(items):
                if one not in field.enum:
                    spot = _path(where, index) if field.many else where
                    raise bad_request("%s must be one of %s, got %r" % (
                        spot, ", ".join(field.enum), one), spot)
            continue
        if key in _LOGICAL and field.many and isinstance(item, dict):
            # Prisma takes one where-object as well as a list of them
            check(field.inner, item, where, version)
            continue
        check(field.type, item, where, version)
        if field.enum is not None:
            for one in (item if field.many else [item]):
                if one not in field.enum:
                    raise bad_request("%s must be one of %s, got %r" % (
                        where, ", ".join(field.enum), one), where)
        if field.constraints:
            _check_constraints(field.constraints, item, where)


def _has(field, version):
    if version is None or not field.versions:
        return True
    from cloudtower.versions import contains
    return contains(field.versions, version)


def _check_primitive(type_name, value, path):
    ok = True
    if type_name in ("str", "datetime", "date"):
        ok = isinstance(value, six.string_types)
    elif type_name == "bool":
        ok = isinstance(value, bool)
    elif type_name == "int":
        ok = (isinstance(value, six.integer_types) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    elif type_name == "float":
        ok = isinstance(value, numbers.Number) and not isinstance(value, bool)
    if not ok:
        raise bad_request("%s must be %s, got %s" % (path, _NAMES[type_name], _kind(value)), path)


def _check_constraints(constraints, value, path):
    minimum = constraints.get("minimum")
    maximum = constraints.get("maximum")
    if minimum is not None and isinstance(value, numbers.Number) and value < minimum:
        raise bad_request("%s must be at least %s, got %r" % (path, minimum, value), path)
    if maximum is not None and isinstance(value, numbers.Number) and value > maximum:
        raise bad_request("%s must be at most %s, got %r" % (path, maximum, value), path)
    for key, noun in (("minLength", "character"), ("minItems", "item")):
        limit = constraints.get(key)
        if limit is not None and hasattr(value, "__len__") and len(value) < limit:
            raise bad_request("%s must have at least %d %s(s)" % (path, limit, noun), path)
    for key, noun in (("maxLength", "character"), ("maxItems", "item")):
        limit = constraints.get(key)
        if limit is not None and hasattr(value, "__len__") and len(value) > limit:
            raise bad_request("%s must have at most %d %s(s)" % (path, limit, noun), path)
