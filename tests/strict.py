# coding: utf-8
"""Reading JSON as strictly as the official SDK does, for tests of what the simulator serves.

The official SDK (openapi-generator) builds every object of a response with
its constructor, whose setters refuse ``None`` in a required field, a value
outside an inline enum and a value breaking a bound, length or item count:
one such field in one row and the whole call raises. ``problems`` finds
those, plus what a real CloudTower never sends either: a required field
missing, an enum value the API does not have.
"""
from cloudtower.exceptions import ApiValueError
from cloudtower.model import _check_value, is_enum, model_class
from cloudtower.simulator.schema import split_list


def problems(type_name, value, path=None, found=None):
    """The set of problems (``"Vm.host: ..."``) in the JSON ``value`` of ``type_name``."""
    found = set() if found is None else found
    path = path or type_name
    inner, many = split_list(type_name)
    if value is None:
        return found
    if many:
        if not isinstance(value, list):
            found.add("%s: %r is not a list" % (path, value))
            return found
        for index, item in enumerate(value):
            problems(inner, item, "%s[%d]" % (path, index), found)
        return found
    cls = model_class(inner)
    if cls is None:
        return found
    if is_enum(cls):
        if value not in cls.allowable_values:
            found.add("%s: %r is not a %s" % (path, value, inner))
        return found
    if not isinstance(value, dict):
        found.add("%s: %r is not an object (%s)" % (path, value, inner))
        return found
    checks = cls.__dict__.get("_checks")
    if checks is None:
        checks = cls._compile_checks()
    for attr, field_type in sorted(cls.openapi_types.items()):
        key = cls.attribute_map.get(attr, attr)
        spot = "%s.%s" % (path, key)
        if key not in value:
            if attr in cls._required:
                found.add("%s is missing" % spot)
            continue
        check = checks.get(attr)
        if check is not None:
            try:
                _check_value(inner, attr, value[key], check)
            except ApiValueError as error:
                found.add("%s: %s" % (spot, error))
        problems(field_type, value[key], spot, found)
    return found
