"""The API shape of one CloudTower version, as the repository keeps it in ``specs/``.

A shape is what the generator and the validation use, and nothing more:
the API classes with their methods (HTTP method, path, body, query, form and
header parameters, response type, authentication) and the models with their
fields (attribute, JSON key, type, required/nullable, inline enum values,
constraints) or, for enums, their constants. ``specs/README.md`` describes
the format; this module writes, reads and compares it.

Shapes come from two sources, both reduced to this one format:
``codegen.openapi`` reads a CloudTower OpenAPI document, ``codegen.wheel``
reads the generated modules of an official SDK release as data.
"""
import collections
import gzip
import io
import json

FORMAT = 1

# field flags
REQUIRED = 1
NULLABLE = 2


def shape_from_spec(spec, cloudtower_version, source):
    """The shape of a parsed OpenAPI document (a ``codegen.spec.Spec``)."""
    from codegen import naming
    apis = collections.OrderedDict()
    for tag, methods in spec.apis.items():
        cls = naming.api_class_name(tag)
        entry = apis.setdefault(cls, {"module": naming.api_module_name(tag),
                                      "methods": collections.OrderedDict()})
        for name, op in methods:
            entry["methods"][name] = operation_entry(op)
    models = collections.OrderedDict()
    for name, model in spec.models.items():
        models[name] = model_entry(model)
    return {"format": FORMAT, "cloudtower": cloudtower_version, "source": source,
            "apis": apis, "models": models}


def operation_entry(op):
    entry = collections.OrderedDict()
    entry["id"] = op.operation_id
    entry["http"] = op.http_method
    entry["path"] = op.path
    if op.body_param:
        entry["body"] = [op.body_param, op.body_type, op.body_required]
    for kind, params in (("form", op.form_params), ("query", op.query_params),
                         ("header", op.header_params)):
        if params:
            entry[kind] = [list(p) for p in params]
    if op.return_type:
        entry["return"] = op.return_type
    if op.auth:
        entry["auth"] = list(op.auth)
    return entry


def model_entry(model):
    entry = collections.OrderedDict()
    entry["module"] = model.module
    if model.enum is not None:
        entry["enum"] = [list(pair) for pair in model.enum]
        entry["type"] = model.enum_type
        return entry
    entry["fields"] = [[f.attr, f.key, f.type, (REQUIRED if f.required else 0)
                        | (NULLABLE if f.nullable else 0)] for f in model.fields]
    enums = collections.OrderedDict((f.attr, f.enum) for f in model.fields if f.enum)
    constraints = collections.OrderedDict((f.attr, f.constraints) for f in model.fields
                                          if f.constraints)
    if enums:
        entry["enums"] = enums
    if constraints:
        entry["constraints"] = constraints
    if model.closed:
        entry["closed"] = True
    return entry


def dumps(shape):
    """Deterministic JSON: sorted API classes and models, one per line."""
    out = ['{"format": %d, "cloudtower": %s, "source": %s,\n'
           % (shape["format"], json.dumps(shape["cloudtower"]), json.dumps(shape["source"]))]
    for section in ("apis", "models"):
        items = sorted(shape[section].items())
        out.append(' "%s": {\n' % section)
        for index, (name, value) in enumerate(items):
            out.append("  %s: %s%s\n" % (json.dumps(name), json.dumps(value, separators=(",", ":")),
                                         "," if index < len(items) - 1 else ""))
        out.append(" }%s\n" % ("," if section == "apis" else ""))
    out.append("}\n")
    return "".join(out)


def write(shape, path):
    """Write ``shape`` gzipped, byte for byte the same for the same shape."""
    data = dumps(shape).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as handle:
        handle.write(data)
    with open(path, "wb") as handle:
        handle.write(buffer.getvalue())


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        shape = json.loads(handle.read().decode("utf-8"),
                           object_pairs_hook=collections.OrderedDict)
    if shape.get("format") != FORMAT:
        raise ValueError("%s: shape format %r, this generator reads %d"
                         % (path, shape.get("format"), FORMAT))
    return shape


# -- comparing ---------------------------------------------------------------

def comparable(shape):
    """What two sources of one version's shape can both tell, as flat facts.

    A wheel cannot show an operation id, a nullable optional field, a closed
    schema or an operation's tag, so those are left out: a field counts as
    "refuses None" when it is required and not nullable.
    """
    facts = set()
    for cls, api in shape["apis"].items():
        facts.add(("api", cls, api["module"]))
        for name, op in api["methods"].items():
            key = (cls, name)
            facts.add(("op",) + key + (op["http"], op["path"], op.get("return")))
            if "body" in op:
                facts.add(("body",) + key + tuple(op["body"]))
            for kind in ("form", "query", "header"):
                for param in op.get(kind, ()):
                    facts.add((kind,) + key + tuple(param))
            facts.add(("auth",) + key + tuple(sorted(op.get("auth", ()))))
    for name, model in shape["models"].items():
        facts.add(("model", name, model["module"]))
        if "enum" in model:
            for const, value in model["enum"]:
                facts.add(("const", name, const, json.dumps(value)))
            continue
        for attr, key, type_name, flags in model["fields"]:
            refuses_none = bool(flags & REQUIRED) and not flags & NULLABLE
            facts.add(("field", name, attr, key, type_name, refuses_none))
        for attr, values in model.get("enums", {}).items():
            facts.add(("allowed", name, attr, json.dumps(sorted(values, key=json.dumps))))
        for attr, words in model.get("constraints", {}).items():
            for word, value in words.items():
                facts.add(("constraint", name, attr, word, json.dumps(value)))
    return facts


def differences(left, right):
    """(facts only in ``left``, facts only in ``right``), each sorted."""
    a, b = comparable(left), comparable(right)
    return sorted(a - b, key=repr), sorted(b - a, key=repr)
