# coding: utf-8
"""A request body checked against the tables before it is sent.

One walk over the JSON about to be sent, following the operation's body type,
finds:

- the fields that not every CloudTower version has (for the version check of
  ``ApiClient``);
- mistakes CloudTower would refuse, reported with the fix: an enum value in
  the wrong case (``name_asc`` for ``name_ASC``), a model's attribute name
  where its JSON key belongs (``order_by`` for ``orderBy``), a misspelt key of
  a closed schema (``wehre``);
- likely mistakes CloudTower would take silently, as a ``RequestWarning``:
  a string field whose values are an enum's given one in the wrong case
  (``{"severity": "critical"}`` matches no alert), and the same key mistakes
  in an open schema, where CloudTower ignores the key.
"""
import warnings

import six

from cloudtower._spelling import quoted, suggestion
from cloudtower.exceptions import ApiValueError

_indexes = {}


class RequestWarning(UserWarning):
    """A request that CloudTower will take, but probably not as meant."""


def _index(cls):
    """JSON key -> (attribute, type, versions, allowed values, strict) for a model class.

    ``strict``: the values are the field's own enum (CloudTower refuses others);
    otherwise they are the enum of a string field's hint (any string passes).
    """
    index = _indexes.get(cls)
    if index is None:
        from cloudtower.model import model_class
        index = {}
        for field in cls.describe().fields:
            allowed, strict = field.enum, True
            if allowed is None and field.enum_hint is not None:
                allowed, strict = model_class(field.enum_hint).allowable_values, False
            index[field.json_key] = (field.name, field.type, field.versions,
                                     frozenset(allowed) if allowed is not None else None, strict)
        _indexes[cls] = index
    return index


def walk(type_name, value, path="", spelling=True):
    """``(path, model name, attribute, range)`` of each field in ``value`` that not
    every CloudTower version has; with ``spelling``, raise or warn on the mistakes
    described in the module docstring."""
    from cloudtower.model import is_enum, model_class
    if value is None or type_name is None:
        return
    if type_name.startswith("list["):
        inner = type_name[5:-1]
        if isinstance(value, dict):  # AND/OR/NOT take one object as well as a list
            value = [value]
        if isinstance(value, list):
            for position, item in enumerate(value):
                for found in walk(inner, item, "%s[%d]" % (path, position), spelling):
                    yield found
        return
    if not isinstance(value, dict):
        return
    cls = model_class(type_name)
    if cls is None or is_enum(cls):
        return
    index = _index(cls)
    for key, item in value.items():
        where = "%s.%s" % (path, key) if path else key
        entry = index.get(key)
        if entry is None:
            if spelling:
                _unknown_key(cls, index, value, key, where)
            continue
        attr, item_type, range_, allowed, strict = entry
        if range_:
            yield where, type_name, attr, range_
        if spelling and allowed is not None and item is not None:
            _check_values(cls, attr, item, allowed, strict, where)
        if isinstance(item, (dict, list)):
            for found in walk(item_type, item, where, spelling):
                yield found


def _check_values(cls, attr, value, allowed, strict, where):
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, six.string_types) or item in allowed:
            continue
        best = suggestion(item, allowed)
        if best is None:
            continue  # CloudTower decides; a newer one may know the value
        message = "%s (%s.%s): %s is not one of its values; did you mean %s?" % (
            where, cls.__name__, attr, quoted(item), quoted(best))
        if strict:
            raise ApiValueError(message)
        warnings.warn(message + " (the filter matches nothing otherwise)", RequestWarning,
                      stacklevel=_callers_level())


def _unknown_key(cls, index, body, key, where):
    json_key = cls.attribute_map.get(key)
    if json_key is not None and json_key != key and json_key not in body:
        message = ("%s: `%s` is the attribute name of %s's field; a dict body takes its JSON "
                   "key `%s`" % (where, key, cls.__name__, json_key))
    else:
        best = suggestion(key, list(index))
        if best is None:
            return  # CloudTower decides
        message = "%s: %s has no key `%s`; did you mean `%s`?" % (where, cls.__name__, key, best)
    if cls.describe().closed:
        raise ApiValueError(message)
    warnings.warn(message + " (CloudTower ignores it)", RequestWarning, stacklevel=_callers_level())


def _callers_level():
    """The ``stacklevel`` of the first frame outside this package: the user's call."""
    import sys
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("cloudtower."):
        frame, level = frame.f_back, level + 1
    return level
