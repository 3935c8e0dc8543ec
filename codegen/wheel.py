"""Derive the shape of a CloudTower version from an official SDK release.

    python -m codegen.wheel WHEEL --cloudtower VERSION [--out specs]

For the CloudTower versions without a public OpenAPI document, the generated
modules of the official ``cloudtower-sdk`` wheel are the only record of the
API. This module reads them as data: it parses ``cloudtower/api/*_api.py`` and
``cloudtower/models/*.py`` straight from the zip with ``ast`` (nothing is
imported or executed, and nothing of the text is kept but names, types and
constraint values) and writes ``<out>/<VERSION>.json.gz`` in the format of
``codegen.shape``, with ``"source": "cloudtower-sdk==<release>"``.

What a release can tell is less than a document: no operation ids, and a field
is marked required (flag 1) when its setter refuses ``None``, so nullable
fields and closed schemas cannot be told apart (``specs/README.md``).
"""
import argparse
import ast
import collections
import os
import re
import sys
import zipfile

from codegen import shape as shapes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

API_DIR = "cloudtower/api/"
MODEL_DIR = "cloudtower/models/"

# the keyword arguments every generated method accepts besides its parameters
COMMON_OPTIONS = {"async_req", "_return_http_data_only", "_preload_content",
                  "_request_timeout", "_request_auth", "_content_type", "_headers"}


class WheelError(ValueError):
    """The release does not look like what this reader understands."""


def release_of(path):
    """``cloudtower_sdk-2.21.1-py2.py3-none-any.whl`` -> ``2.21.1``."""
    name = os.path.basename(path)
    match = re.match(r"cloudtower[_-]sdk-([^-]+)-", name)
    if not match:
        raise WheelError("%s: not a cloudtower-sdk wheel file name" % name)
    return match.group(1)


# -- small ast helpers -------------------------------------------------------

def _literal(node):
    return ast.literal_eval(node)


def _name_of(node):
    """``a.b.c`` -> ``"a.b.c"``, ``x`` -> ``"x"``, anything else -> None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _name_of(node.value)
        return base and base + "." + node.attr
    return None


def _subscript_key(node):
    """The constant key of ``x['key']`` (Python 3.8 wraps it in ast.Index)."""
    key = node.slice
    if isinstance(key, getattr(ast, "Index", ())):  # Python < 3.9
        key = key.value
    return _literal(key)


def _local_param(node):
    """``local_var_params['x']`` -> ``"x"``, else None."""
    if (isinstance(node, ast.Subscript) and _name_of(node.value) == "local_var_params"):
        key = _subscript_key(node)
        if isinstance(key, str):
            return key
    return None


def _assigned(node):
    """(target, value) of a one-target assignment, else (None, None)."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        return node.targets[0], node.value
    return None, None


def _walk(node):
    """Every node under ``node`` in source order (``ast.walk`` goes breadth first)."""
    yield node
    for child in ast.iter_child_nodes(node):
        for item in _walk(child):
            yield item


def _strings(node):
    """Every string constant inside ``node``, in source order."""
    found = []
    for child in _walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.append(child.value)
    return found


def _docstring_types(function):
    """``{param: type}`` from the ``:type name: T`` lines of a docstring."""
    types = {}
    for line in (ast.get_docstring(function) or "").splitlines():
        match = re.match(r"\s*:type (\w+): (.+?)\s*$", line)
        if match:
            types.setdefault(match.group(1), match.group(2))
    return types


def _class_of(tree, path):
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    if len(classes) != 1:
        raise WheelError("%s: expected one class, found %d" % (path, len(classes)))
    return classes[0]


# -- API classes -------------------------------------------------------------

def read_api(source, path="<api>"):
    """``(class name, entry)`` of one ``cloudtower/api/<x>_api.py`` module."""
    tree = ast.parse(source, path)
    cls = _class_of(tree, path)
    methods = collections.OrderedDict()
    for node in cls.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        if node.name.endswith("_with_http_info"):
            name = node.name[:-len("_with_http_info")]
            methods[name] = read_operation(node, "%s: %s" % (path, node.name))
    module = os.path.splitext(os.path.basename(path))[0]
    return cls.name, {"module": module, "methods": methods}


def read_operation(function, where="<operation>"):
    """The shape entry of one ``*_with_http_info`` method."""
    types = _docstring_types(function)
    params = None
    required = set()
    body = None
    kinds = {"query": [], "header": [], "form": []}
    auth = None
    returns = None
    call = None
    for node in _walk(function):
        target, value = _assigned(node)
        target_name = _name_of(target) if target is not None else None
        if target_name == "all_params" and isinstance(value, ast.List):
            params = [_literal(item) for item in value.elts]
        elif target_name == "auth_settings":
            auth = _literal(value)
        elif target_name == "response_types_map":
            returns = _literal(value).get(200)
        elif target_name == "body_params" and _local_param(value):
            body = _local_param(value)
        elif isinstance(target, ast.Subscript) and _local_param(value):
            into = _name_of(target.value)
            wire = _subscript_key(target)
            if into == "header_params":
                kinds["header"].append((wire, _local_param(value)))
            elif into == "local_var_files":
                kinds["form"].append((wire, _local_param(value)))
            elif into == "path_params":
                raise WheelError("%s: path parameters are not part of the shape format" % where)
        elif isinstance(node, ast.Call) and _name_of(node.func) in (
                "query_params.append", "form_params.append"):
            pair = node.args[0] if len(node.args) == 1 else None
            if not (isinstance(pair, ast.Tuple) and len(pair.elts) == 2
                    and _local_param(pair.elts[1])):
                raise WheelError("%s: unexpected %s" % (where, _name_of(node.func)))
            kind = "query" if node.func.value.id == "query_params" else "form"
            kinds[kind].append((_literal(pair.elts[0]), _local_param(pair.elts[1])))
        elif isinstance(node, ast.If) and _raises(node, "ApiValueError"):
            # "Missing the required parameter": ``'x' not in local_var_params or ... is None``
            required.update(_tested_params(node.test))
        elif isinstance(node, ast.Call) and _name_of(node.func) == "self.api_client.call_api":
            call = node
    if params is None or call is None:
        raise WheelError("%s: no all_params list or call_api call" % where)
    entry = collections.OrderedDict()
    entry["http"] = _literal(call.args[1])
    entry["path"] = _literal(call.args[0])
    if body is not None:
        entry["body"] = [body, _type_of(types, body, where), body in required]
    for kind in ("form", "query", "header"):
        if kinds[kind]:
            entry[kind] = [[name, wire, _type_of(types, name, where), name in required]
                           for wire, name in kinds[kind]]
    used = {body} | {name for kind in kinds.values() for _, name in kind}
    unused = [name for name in params if name not in used and name not in COMMON_OPTIONS]
    if unused:
        raise WheelError("%s: parameters %s are sent nowhere this reader knows" % (where, unused))
    if returns:
        entry["return"] = returns
    if auth:
        entry["auth"] = sorted(auth)
    return entry


def _raises(node, exception):
    for child in ast.walk(node):
        if isinstance(child, ast.Raise) and isinstance(child.exc, ast.Call) \
                and _name_of(child.exc.func) == exception:
            return True
    return False


def _tested_params(test):
    """The names of ``'x' not in local_var_params`` tests inside ``test``."""
    names = set()
    for node in ast.walk(test):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 \
                and isinstance(node.ops[0], ast.NotIn) \
                and _name_of(node.comparators[0]) == "local_var_params" \
                and isinstance(node.left, ast.Constant):
            names.add(node.left.value)
    return names


def _type_of(types, name, where):
    if name not in types:
        raise WheelError("%s: no ':type %s:' in the docstring" % (where, name))
    return types[name]


# -- models ------------------------------------------------------------------

def read_model(source, path="<model>"):
    """``(class name, entry)`` of one ``cloudtower/models/<x>.py`` module."""
    tree = ast.parse(source, path)
    cls = _class_of(tree, path)
    entry = collections.OrderedDict()
    entry["module"] = os.path.splitext(os.path.basename(path))[0]
    constants = collections.OrderedDict()
    allowable = None
    openapi_types = attribute_map = None
    setters = {}
    for node in cls.body:
        target, value = _assigned(node)
        if isinstance(target, ast.Name):
            if target.id == "openapi_types":
                openapi_types = _pairs(value, path)
            elif target.id == "attribute_map":
                attribute_map = _pairs(value, path)
            elif target.id == "allowable_values":
                allowable = [_name_of(item) for item in value.elts]
            elif isinstance(value, ast.Constant):
                constants[target.id] = value.value
        elif isinstance(node, ast.FunctionDef) and any(
                _name_of(d) == node.name + ".setter" for d in node.decorator_list):
            setters[node.name] = node
    if openapi_types is None or attribute_map is None:
        raise WheelError("%s: no openapi_types / attribute_map" % path)
    if allowable is not None:
        if openapi_types:
            raise WheelError("%s: an enum with fields" % path)
        declared = [name for name in constants if name in allowable]
        if sorted(declared) != sorted(allowable):
            raise WheelError("%s: allowable_values names undeclared constants" % path)
        entry["enum"] = [[name, constants[name]] for name in declared]
        entry["type"] = _enum_type([constants[name] for name in declared])
        return cls.name, entry
    if [attr for attr, _ in openapi_types] != [attr for attr, _ in attribute_map]:
        raise WheelError("%s: openapi_types and attribute_map disagree" % path)
    keys = dict(attribute_map)
    fields, enums, constraints = [], collections.OrderedDict(), collections.OrderedDict()
    for attr, type_name in openapi_types:
        setter = setters.get(attr)
        if setter is None:
            raise WheelError("%s: no setter for %s" % (path, attr))
        refuses_none, allowed, words = read_setter(setter, type_name, "%s: %s" % (path, attr))
        fields.append([attr, keys[attr], type_name, shapes.REQUIRED if refuses_none else 0])
        if allowed is not None:
            enums[attr] = allowed
        if words:
            constraints[attr] = words
    entry["fields"] = fields
    if enums:
        entry["enums"] = enums
    if constraints:
        entry["constraints"] = constraints
    return cls.name, entry


def _pairs(node, path):
    if not isinstance(node, ast.Dict):
        raise WheelError("%s: expected a dict literal" % path)
    return [(_literal(k), _literal(v)) for k, v in zip(node.keys, node.values)]


def _enum_type(values):
    kinds = {type(value) for value in values}
    for python_type, name in ((bool, "bool"), (str, "str"), (int, "int")):
        if kinds == {python_type}:
            return name
    if kinds and kinds <= {int, float}:
        return "float"
    return "object"


# the OpenAPI keywords of the checks, in the order codegen.spec lists them
CONSTRAINTS = ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
               "exclusiveMinimum", "exclusiveMaximum", "pattern")

VALIDATION = "self.local_vars_configuration.client_side_validation"

# comparison operator -> (constraint word, exclusive word or None), for
# ``x > N`` (N is the maximum) and ``x < N`` (the minimum); ``>=``/``<=`` are
# what openapi-generator writes for an exclusive bound
_BOUNDS = {
    ast.Gt: ("maximum", None), ast.GtE: ("maximum", "exclusiveMaximum"),
    ast.Lt: ("minimum", None), ast.LtE: ("minimum", "exclusiveMinimum"),
}


def read_setter(setter, type_name="str", where="<setter>"):
    """(refuses None, allowed values or None, constraints) of a property setter.

    ``type_name`` (the field's type) tells a length bound (maxLength) from an
    item-count bound (maxItems): both are ``len(x)`` checks.
    """
    attr = setter.args.args[1].arg
    refuses_none = False
    allowed = None
    words = {}
    for node in setter.body:
        target, value = _assigned(node)
        if _name_of(target) == "allowed_values":
            allowed = _literal(value)
            continue
        if not isinstance(node, ast.If) or not _validating(node.test):
            continue
        checks = [part for part in _conjuncts(node.test) if _name_of(part) != VALIDATION]
        message = " ".join(text for stmt in node.body for text in _strings(stmt))
        if _is_none_test(checks, attr):
            refuses_none = True
        elif allowed is not None and _mentions(checks, "allowed_values"):
            pass  # the allowed-values check itself
        else:
            _read_bound(checks, attr, type_name, message, words, where)
    ordered = collections.OrderedDict((word, words[word]) for word in CONSTRAINTS if word in words)
    return refuses_none, allowed, ordered


def _validating(test):
    return any(_name_of(part) == VALIDATION for part in _conjuncts(test))


def _conjuncts(test):
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return test.values
    return [test]


def _is_none_test(checks, attr):
    return (len(checks) == 1 and isinstance(checks[0], ast.Compare)
            and _name_of(checks[0].left) == attr and isinstance(checks[0].ops[0], ast.Is)
            and isinstance(checks[0].comparators[0], ast.Constant)
            and checks[0].comparators[0].value is None)


def _mentions(nodes, name):
    return any(_name_of(child) == name for node in nodes for child in ast.walk(node))


def _read_bound(checks, attr, type_name, message, words, where):
    """Add the constraint an ``if ...: raise`` check enforces to ``words``."""
    checks = [c for c in checks if not (isinstance(c, ast.Compare)
                                        and isinstance(c.ops[0], ast.IsNot))]
    if len(checks) != 1:
        raise WheelError("%s: unrecognised check" % where)
    check = checks[0]
    if isinstance(check, ast.UnaryOp) and isinstance(check.op, ast.Not) \
            and isinstance(check.operand, ast.Call) \
            and _name_of(check.operand.func) == "re.search":
        # the message carries the pattern as the document wrote it (with any
        # /.../flags); the call only the regex it became
        match = re.search(r"`(.*)`\s*$", message)
        words["pattern"] = match.group(1) if match else _literal(check.operand.args[0])
        return
    if not (isinstance(check, ast.Compare) and len(check.ops) == 1
            and type(check.ops[0]) in _BOUNDS):
        raise WheelError("%s: unrecognised check" % where)
    word, exclusive = _BOUNDS[type(check.ops[0])]
    left, limit = check.left, _literal(check.comparators[0])
    if isinstance(left, ast.Call) and _name_of(left.func) == "len":
        if exclusive:
            raise WheelError("%s: exclusive length bound" % where)
        items = type_name.startswith(("list[", "dict("))
        word = {("maximum", False): "maxLength", ("minimum", False): "minLength",
                ("maximum", True): "maxItems", ("minimum", True): "minItems"}[(word, items)]
    elif _name_of(left) != attr:
        raise WheelError("%s: unrecognised check" % where)
    words[word] = limit
    if exclusive:
        words[exclusive] = True


# -- the whole release -------------------------------------------------------

def read_wheel(path, cloudtower_version):
    """The shape of the release in wheel ``path``, for ``cloudtower_version``.

    The modules read are those the package index (``cloudtower/api/__init__.py``,
    ``cloudtower/models/__init__.py``) imports: some releases also carry stale
    modules left over from an earlier generation, which the package never
    loads and its document no longer has.
    """
    apis, models = collections.OrderedDict(), collections.OrderedDict()
    with zipfile.ZipFile(path) as archive:
        for directory, table, reader in ((API_DIR, apis, read_api), (MODEL_DIR, models, read_model)):
            for module, name in package_index(_text(archive, directory + "__init__.py"),
                                              directory):
                source = directory + module + ".py"
                cls, entry = reader(_text(archive, source), source)
                if cls != name:
                    raise WheelError("%s defines %s, the index imports %s" % (source, cls, name))
                _add(table, cls, entry, source)
    if not apis or not models:
        raise WheelError("%s: no API classes or models found" % path)
    return {"format": shapes.FORMAT, "cloudtower": cloudtower_version,
            "source": "cloudtower-sdk==%s" % release_of(path),
            "apis": apis, "models": models}


def package_index(source, directory):
    """``[(module, class)]`` a package ``__init__`` imports from its own modules."""
    package = directory.strip("/").replace("/", ".")
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package + "."):
            module = node.module[len(package) + 1:]
            for alias in node.names:
                found.append((module, alias.name))
    return found


def _text(archive, name):
    try:
        return archive.read(name).decode("utf-8")
    except KeyError:
        raise WheelError("%s: no %s" % (archive.filename, name))


def _add(table, name, entry, path):
    if name in table:
        raise WheelError("%s: %s defined twice" % (path, name))
    table[name] = entry


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m codegen.wheel",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("wheel")
    parser.add_argument("--cloudtower", required=True, metavar="VERSION",
                        help="the CloudTower version the release was generated for")
    parser.add_argument("--out", default=os.path.join(ROOT, "specs"))
    args = parser.parse_args(argv)
    shape = read_wheel(args.wheel, args.cloudtower)
    target = os.path.join(args.out, "%s.json.gz" % args.cloudtower)
    shapes.write(shape, target)
    print("%s (%s): %d API classes, %d models -> %s" % (
        args.cloudtower, shape["source"], len(shape["apis"]), len(shape["models"]),
        os.path.relpath(target)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
