"""Read an OpenAPI 3 document into a small intermediate form (models and operations).

Everything the emitters write comes from the objects built here; nothing below
copies prose from the document, only names, types and constraints.
"""
import collections
import json

from codegen import naming

# The official SDK 2.20.0 kept the short names of this enum's REPLICA_* values
# from the days when they were its only values; scripts use them
# (``VmVolumeElfStoragePolicyType._2_THIN_PROVISION``), so we keep them too.
ENUM_PREFIX_OVERRIDES = {
    "VmVolumeElfStoragePolicyType": "REPLICA_",
}

# the words that give a schema a type; a property with none of them is "any"
_TYPE_WORDS = ("$ref", "type", "allOf", "oneOf", "anyOf", "not", "properties", "items",
               "additionalProperties", "enum")

PRIMITIVES = {"str", "int", "float", "bool", "object", "datetime", "date", "file"}


class Field(object):
    def __init__(self, attr, key, type_, required, nullable, enum=None, constraints=None):
        self.attr = attr
        self.key = key
        self.type = type_
        self.required = required
        self.nullable = nullable
        self.enum = enum  # values of an inline enum (the type stays "str")
        self.constraints = constraints or {}


class Model(object):
    def __init__(self, name, source):
        self.name = name
        self.module = naming.module_name(name)
        self.source = source  # schema path, for messages only
        self.fields = []
        self.enum = None  # [(constant, value)] for enum models
        self.enum_type = None
        self.closed = False  # additionalProperties: false


class Operation(object):
    def __init__(self):
        self.operation_id = None
        self.name = None
        self.path = None
        self.http_method = None
        self.tags = []
        self.body_param = None  # python parameter name of the JSON body
        self.body_type = None
        self.body_required = False
        self.form_params = []  # [(name, type, required)] for multipart bodies
        self.query_params = []  # [(python name, wire name, type, required)]
        self.header_params = []  # the same, for header parameters
        self.return_type = None
        self.auth = []
        self.content_type = None


class Spec(object):
    """The parsed document: ``models`` (name -> Model) and ``operations``."""

    def __init__(self, document):
        self.doc = document
        self.schemas = document.get("components", {}).get("schemas", {})
        self.models = collections.OrderedDict()
        self._fingerprints = {}  # inline schema JSON -> model name
        self.operations = []
        self.title = document.get("info", {}).get("title", "")
        self.version = document.get("info", {}).get("version", "")
        for schema_name, schema in self.schemas.items():
            if self._is_model_schema(schema):
                self._build_model(naming.model_name(schema_name), schema,
                                  "#/components/schemas/" + schema_name)
        self._read_operations()

    @classmethod
    def load(cls, path):
        with open(path) as handle:
            return cls(json.load(handle, object_pairs_hook=collections.OrderedDict))

    # -- schemas -----------------------------------------------------------

    def _deref(self, schema):
        seen = 0
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
            seen += 1
            if seen > 50:
                raise ValueError("reference cycle at %s" % schema)
        return schema

    @staticmethod
    def _is_model_schema(schema):
        if "enum" in schema:
            return True
        if "allOf" in schema or "oneOf" in schema or "anyOf" in schema:
            return True
        return schema.get("type") == "object" and bool(schema.get("properties")) \
            or (schema.get("type") == "object" and "additionalProperties" not in schema
                and "properties" in schema)

    def _build_model(self, name, schema, source):
        model = Model(name, source)
        self.models[name] = model
        if "enum" in schema:
            values = list(schema["enum"])
            model.enum = naming.enum_constants(values, ENUM_PREFIX_OVERRIDES.get(name))
            model.enum_type = self.type_of(dict(schema, enum=None), name, None)
            return model
        fields = collections.OrderedDict()
        required = set()
        closed = []
        for part_name, part in self._parts(schema, name):
            part = self._deref(part) if "$ref" in part else part
            required.update(part.get("required", []))
            closed.append(part.get("additionalProperties") is False)
            for key, prop in part.get("properties", {}).items():
                fields[key] = (prop, part_name)
        model.closed = bool(closed) and all(closed)
        for key, (prop, owner) in fields.items():
            model.fields.append(self._field(key, prop, owner, key in required))
        return model

    def _parts(self, schema, name):
        """Yield ``(owner_name, part)`` for a schema and, flattened, its allOf parts."""
        if "allOf" not in schema:
            yield name, schema
            return
        inline = [p for p in schema["allOf"] if "$ref" not in p]
        for part in schema["allOf"]:
            if "$ref" in part:
                target = self._deref(part)
                for item in self._parts(target, name):
                    yield item
            else:
                owner = name
                if part.get("properties"):
                    # openapi-generator names an inline allOf part <Parent>AllOf
                    owner = self._inline_model(name + "_allOf", part)
                yield owner, part
        if not inline and schema.get("properties"):
            yield name, {"properties": schema["properties"], "required": schema.get("required", [])}

    def _field(self, key, prop, owner, required):
        # a property of any type ({}) lets None through in openapi-generator,
        # required or not
        nullable = bool(prop.get("nullable")) or not any(word in prop for word in _TYPE_WORDS)
        enum = None
        target = prop
        if "allOf" in prop and len(prop["allOf"]) == 1 and not prop.get("properties"):
            target = prop["allOf"][0]
        if "enum" in target and "$ref" not in target:
            enum = list(target["enum"])
        elif target.get("type") == "array" and "enum" in target.get("items", {}) \
                and "$ref" not in target["items"]:
            # every item of the list must be one of these
            enum = list(target["items"]["enum"])
        constraints = {}
        resolved = self._deref(target) if "$ref" in target else target
        for word in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
                     "exclusiveMinimum", "exclusiveMaximum", "pattern"):
            if word in resolved:
                constraints[word] = resolved[word]
        type_ = self.type_of(prop, owner, key)
        return Field(naming.var_name(key), key, type_, required, nullable, enum, constraints)

    def _inline_model(self, raw_name, schema):
        fingerprint = json.dumps(schema, sort_keys=True)
        if fingerprint in self._fingerprints:
            return self._fingerprints[fingerprint]
        name = naming.model_name(raw_name)
        base, count = name, 0
        while name in self.models or name in self._component_names():
            count += 1
            name = "%s%d" % (base, count)
        self._fingerprints[fingerprint] = name
        self._build_model(name, schema, "inline " + raw_name)
        return name

    def _component_names(self):
        if not hasattr(self, "_names_cache"):
            self._names_cache = {naming.model_name(n) for n, s in self.schemas.items()
                                 if self._is_model_schema(s)}
        return self._names_cache

    def type_of(self, schema, owner, key):
        """The openapi-generator type string of a schema (``list[Vm]``, ``str`` ...)."""
        if schema is None:
            return "object"
        if "$ref" in schema:
            ref_name = schema["$ref"].rsplit("/", 1)[1]
            target = self.schemas[ref_name]
            if self._is_model_schema(target):
                return naming.model_name(ref_name)
            return self.type_of(target, naming.model_name(ref_name), None)
        if "allOf" in schema and len(schema["allOf"]) == 1 and not schema.get("properties"):
            return self.type_of(schema["allOf"][0], owner, key)
        if ("allOf" in schema or "oneOf" in schema or "anyOf" in schema) and owner:
            return self._inline_model("%s_%s" % (owner, key) if key else owner, schema)
        kind = schema.get("type")
        fmt = schema.get("format")
        if kind == "string":
            if fmt == "date-time":
                return "datetime"
            if fmt == "date":
                return "date"
            if fmt == "binary":
                return "file"
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "array":
            return "list[%s]" % self.type_of(schema.get("items", {}), owner, key)
        if kind == "object" or "properties" in schema:
            if schema.get("properties") and owner:
                return self._inline_model("%s_%s" % (owner, key) if key else owner, schema)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return "dict(str, %s)" % self.type_of(extra, owner, key)
            return "object"
        return "object"

    # -- operations --------------------------------------------------------

    def _read_operations(self):
        self.apis = collections.OrderedDict()  # tag -> [(method name, Operation)]
        for path, item in self.doc.get("paths", {}).items():
            for http_method, raw in item.items():
                if http_method not in ("get", "post", "put", "patch", "delete", "head", "options"):
                    continue
                op = self._operation(path, http_method, raw)
                self.operations.append(op)
                for tag in op.tags:
                    methods = self.apis.setdefault(tag, [])
                    taken = {name for name, _ in methods}
                    # openapi-generator lists an operation once per tag occurrence,
                    # suffixing repeats: a doubled tag yields ``name`` and ``name_0``.
                    name, counter = op.name, 0
                    while name in taken:
                        name = "%s_%d" % (op.name, counter)
                        counter += 1
                    methods.append((name, op))
        self.apis = collections.OrderedDict(sorted(self.apis.items()))

    def _operation(self, path, http_method, raw):
        op = Operation()
        op.operation_id = raw["operationId"]
        op.name = naming.method_name(op.operation_id)
        op.path = path
        op.http_method = http_method.upper()
        op.tags = list(raw.get("tags") or ["Default"])
        security = raw.get("security", self.doc.get("security", []))
        op.auth = sorted({name for entry in security for name in entry})
        for param in raw.get("parameters", []):
            param = self._deref(param) if "$ref" in param else param
            where = {"query": op.query_params, "header": op.header_params}.get(param.get("in"))
            if where is not None:
                where.append((naming.var_name(param["name"]), param["name"],
                              self.type_of(param.get("schema"), None, None),
                              bool(param.get("required"))))
        body = raw.get("requestBody")
        if body:
            content = body.get("content", {})
            if "application/json" in content:
                op.content_type = "application/json"
                schema = content["application/json"]["schema"]
                op.body_required = bool(body.get("required"))
                op.body_type = self.type_of(schema, None, None)
                op.body_param = self._body_param_name(schema)
            elif "multipart/form-data" in content:
                op.content_type = "multipart/form-data"
                schema = content["multipart/form-data"]["schema"]
                schema = self._deref(schema) if "$ref" in schema else schema
                required = set(schema.get("required", []))
                for key, prop in schema.get("properties", {}).items():
                    op.form_params.append((naming.var_name(key), key,
                                           self.type_of(prop, None, None), key in required))
        ok = raw.get("responses", {}).get("200", {})
        content = ok.get("content", {})
        if "application/json" in content:
            # openapi-generator names an inline response object InlineResponse200
            op.return_type = self.type_of(content["application/json"].get("schema"), "inline_response_200", None)
        return op

    def _body_param_name(self, schema):
        """Name the body parameter after its schema, as openapi-generator does.

        An alias of an array is named after the array's items; an alias of
        another schema is plain ``body``.
        """
        if "$ref" in schema:
            ref_name = schema["$ref"].rsplit("/", 1)[1]
            target = self.schemas[ref_name]
            if self._is_model_schema(target):
                return naming.underscore(naming.model_name(ref_name))
            if target.get("type") == "array":
                return self._body_param_name(target)
            return "body"
        if schema.get("type") == "array" and "$ref" in schema.get("items", {}):
            return self._body_param_name(schema["items"])
        return "body"
