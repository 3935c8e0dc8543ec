# coding: utf-8
"""Unit tests of the generator: naming, reading a document, shapes and the merge of versions.

Runs in the tox `codegen` environment (the generator is a development tool,
not part of the installed package).
"""
import collections
import json

import pytest

pytestmark = pytest.mark.codegen


@pytest.fixture(scope="module")
def cg():
    """The generator's modules, imported here: the other environments do not have them."""
    import codegen.emit
    import codegen.merge
    import codegen.naming
    import codegen.shape
    import codegen.spec
    return codegen


# -- naming --------------------------------------------------------------------

@pytest.mark.parametrize("word, expected", [
    ("GetSCVMDiskMetricInput", "get_scvm_disk_metric_input"),
    ("VmNic", "vm_nic"),
    ("NestedVmNic", "nested_vm_nic"),
    ("HTTPServer", "http_server"),
])
def test_underscore(word, expected, cg):
    assert cg.naming.underscore(word) == expected


@pytest.mark.parametrize("key, expected", [
    ("entityAsyncStatus", "entity_async_status"),
    ("AND", "_and"),
    ("NOT", "_not"),
    ("id_in", "id_in"),
    ("from", "_from"),
    ("2fa", "_2fa"),
    ("local-id", "local_id"),
])
def test_var_name(key, expected, cg):
    assert cg.naming.var_name(key) == expected


def test_model_and_method_names(cg):
    assert cg.naming.model_name("WithTask_Vm-Array_") == "WithTaskVmArray"
    assert cg.naming.method_name("GetSCVMMetrics") == "get_scvm_metrics"
    assert cg.naming.api_class_name("VmVolume") == "VmVolumeApi"
    assert cg.naming.api_module_name("VmVolume") == "vm_volume_api"


def test_enum_constants_strip_the_common_prefix_at_a_word_boundary(cg):
    assert cg.naming.enum_constants(["status-on", "status-off"]) == [("ON", "status-on"), ("OFF", "status-off")]
    assert cg.naming.enum_constants(["RUNNING", "STOPPED"]) == [("RUNNING", "RUNNING"), ("STOPPED", "STOPPED")]
    assert cg.naming.enum_constants(["REPLICA_2_THIN", "REPLICA_3_THIN"]) == [
        ("_2_THIN", "REPLICA_2_THIN"), ("_3_THIN", "REPLICA_3_THIN")]
    assert cg.naming.enum_constants([""]) == [("EMPTY", "")]
    assert cg.naming.enum_constants(["A", "B"], strip_prefix="") == [("A", "A"), ("B", "B")]


# -- reading a document ----------------------------------------------------------

def document(version="9.0.0"):
    return {
        "openapi": "3.0.0", "info": {"version": version, "title": "t"},
        "paths": {
            "/get-things": {"post": {
                "operationId": "GetThings", "tags": ["Thing"],
                "security": [{"Authorization": []}],
                "parameters": [{"in": "header", "name": "content-language", "required": False,
                                "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/GetThingsRequestBody"}}}},
                "responses": {"200": {"content": {"application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}}}},
            "/do-things": {"post": {
                "operationId": "DoThings", "tags": ["Thing"],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "array", "items": {"$ref": "#/components/schemas/ThingParams"}}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "array", "items": {"type": "object",
                                               "properties": {"task_id": {}, "data": {}}}}}}}}}},
        },
        "components": {"schemas": {
            "ThingKind": {"type": "string", "enum": ["KIND_A", "KIND_B"]},
            "Thing": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "kind": {"$ref": "#/components/schemas/ThingKind"},
                "size": {"type": "integer", "nullable": True, "minimum": 0, "maximum": 10},
                "createdAt": {"type": "string", "format": "date-time"},
                "mode": {"type": "string", "enum": ["x", "y"]}}},
            "GetThingsRequestBody": {"type": "object", "additionalProperties": False,
                                     "properties": {"first": {"type": "integer"}}},
            "ThingParams": {"allOf": [{"$ref": "#/components/schemas/Thing"},
                                      {"type": "object", "properties": {"extra": {"type": "boolean"}}}]},
        }},
    }


def test_a_document_reads_into_models_and_operations(cg):
    spec = cg.spec.Spec(json.loads(json.dumps(document()), object_pairs_hook=collections.OrderedDict))
    thing = spec.models["Thing"]
    fields = dict((f.attr, f) for f in thing.fields)
    assert fields["id"].required and not fields["size"].required and fields["size"].nullable
    assert fields["created_at"].key == "createdAt" and fields["created_at"].type == "datetime"
    assert fields["kind"].type == "ThingKind" and fields["mode"].enum == ["x", "y"]
    assert fields["size"].constraints == {"minimum": 0, "maximum": 10}
    assert spec.models["ThingKind"].enum == [("A", "KIND_A"), ("B", "KIND_B")]
    assert spec.models["GetThingsRequestBody"].closed
    # allOf parts are flattened, an inline part becomes its own model
    assert [f.attr for f in spec.models["ThingParams"].fields] == ["id", "kind", "size", "created_at",
                                                                   "mode", "extra"]
    assert "ThingParamsAllOf" in spec.models
    ops = dict((op.name, op) for op in spec.operations)
    get = ops["get_things"]
    assert (get.http_method, get.path, get.auth) == ("POST", "/get-things", ["Authorization"])
    assert get.body_param == "get_things_request_body" and get.body_required
    assert get.return_type == "list[Thing]"
    assert get.header_params == [("content_language", "content-language", "str", False)]
    do = ops["do_things"]
    assert do.body_param == "thing_params" and do.body_type == "list[ThingParams]"
    # an inline response object is named as openapi-generator names it
    assert do.return_type == "list[InlineResponse200]"


# -- shapes --------------------------------------------------------------------------

def test_a_shape_is_written_the_same_way_every_time(tmpdir, cg):
    spec = cg.spec.Spec(document())
    shape = cg.shape.shape_from_spec(spec, "9.0.0", "openapi")
    first, second = str(tmpdir.join("a.json.gz")), str(tmpdir.join("b.json.gz"))
    cg.shape.write(shape, first)
    cg.shape.write(cg.shape.read(first), second)
    with open(first, "rb") as a, open(second, "rb") as b:
        assert a.read() == b.read()
    assert cg.shape.differences(shape, cg.shape.read(first)) == ([], [])


def test_differences_name_the_facts_that_differ(cg):
    left = cg.shape.shape_from_spec(cg.spec.Spec(document()), "9.0.0", "openapi")
    right = json.loads(json.dumps(left))
    right["models"]["Thing"]["fields"][0][3] = 0  # id no longer refuses None
    only_left, only_right = cg.shape.differences(left, right)
    assert only_left == [("field", "Thing", "id", "id", "str", True)]
    assert only_right == [("field", "Thing", "id", "id", "str", False)]


# -- merging versions ---------------------------------------------------------------

def versioned(cg, changes):
    """Three versions of the test document, each changed by a function."""
    out = []
    for version, change in zip(("1.0.0", "2.0.0", "3.0.0"), changes):
        doc = document(version)
        if change:
            change(doc)
        out.append((version, cg.shape.shape_from_spec(cg.spec.Spec(doc), version, "openapi")))
    return out


def test_ranges_of_operations_fields_and_constants(cg):
    def add_field(doc):
        doc["components"]["schemas"]["Thing"]["properties"]["color"] = {"type": "string"}

    def add_kind(doc):
        add_field(doc)
        doc["components"]["schemas"]["ThingKind"]["enum"].append("KIND_C")

    def drop_do(doc):
        del doc["paths"]["/do-things"]
    merged = cg.merge.Merged(versioned(cg, [drop_do, add_field, add_kind]))
    assert merged.versions == ["1.0.0", "2.0.0", "3.0.0"]
    assert merged.operations["do_things"].range == ((1, None),)
    assert merged.operations["get_things"].range == ()
    color = [f for f in merged.models["Thing"].fields if f.attr == "color"][0]
    assert color.range == ((1, None),)
    kind = merged.models["ThingKind"]
    assert kind.enum_ranges == {"C": ((2, None),)}


def test_a_method_renamed_on_the_same_route_points_at_its_successor(cg):
    def rename(doc):
        doc["paths"]["/do-things"]["post"]["operationId"] = "DoTheThings"
    merged = cg.merge.Merged(versioned(cg, [None, rename, rename]))
    old, new = merged.operations["do_things"], merged.operations["do_the_things"]
    assert old.successor == "do_the_things" and new.successor is None
    assert old.range == new.range == ()  # the route exists in every version


def test_a_renamed_body_parameter_is_kept_as_an_alias(cg):
    def rename_body(doc):
        schemas = doc["components"]["schemas"]
        schemas["ThingQuery"] = schemas.pop("GetThingsRequestBody")
        doc["paths"]["/get-things"]["post"]["requestBody"]["content"]["application/json"]["schema"] = {
            "$ref": "#/components/schemas/ThingQuery"}
    merged = cg.merge.Merged(versioned(cg, [rename_body, None, None]))
    op = merged.operations["get_things"]
    assert op.body_param == "get_things_request_body"
    assert op.param_aliases == [("thing_query", "get_things_request_body")]


def test_the_tables_carry_the_ranges(cg):
    def add_field(doc):
        doc["components"]["schemas"]["Thing"]["properties"]["color"] = {"type": "string"}
    merged = cg.merge.Merged(versioned(cg, [None, None, add_field]))
    files = cg.emit.generate(merged)
    assert 'VERSIONS = ("1.0.0", "2.0.0", "3.0.0")' in files["cloudtower/api/operations.py"]
    table_line = [line for line in files["cloudtower/models/_tables.py"].splitlines()
                  if line.startswith('    "Thing":')][0]
    import ast
    table = json.loads(ast.literal_eval(table_line.split(": ", 1)[1].rstrip(",")))
    assert table["g"] == {"color": [[2, None]]}
    assert "# CloudTower: since 3.0.0" in files["cloudtower/models/__init__.pyi"]


def _stub_class(stub, name):
    """The body lines of ``class name(...)`` in a stub."""
    lines = stub.splitlines()
    start = [i for i, line in enumerate(lines) if line.startswith("class %s(" % name)]
    assert start, "no class %s in the stub" % name
    body = []
    for line in lines[start[0] + 1:]:
        if not line.startswith("    "):
            break
        body.append(line.strip())
    return body


def test_request_models_get_typeddicts_keyed_by_json_key(cg):
    def add_filters(doc):
        schemas = doc["components"]["schemas"]

        def where(name, other):
            return {"type": "object", "properties": {
                "AND": {"type": "array", "items": {"$ref": "#/components/schemas/%s" % name}},
                "name_contains": {"type": "string"},
                "other": {"$ref": "#/components/schemas/%s" % other}}}
        schemas["ThingWhereInput"] = where("ThingWhereInput", "OtherWhereInput")
        schemas["OtherWhereInput"] = where("OtherWhereInput", "ThingWhereInput")
        schemas["GetThingsRequestBody"]["properties"]["where"] = {
            "$ref": "#/components/schemas/ThingWhereInput"}
    files = cg.emit.generate(cg.merge.Merged(versioned(cg, [add_filters] * 3)))
    stub = files["cloudtower/models/__init__.pyi"]
    assert "from typing_extensions import TypedDict" in stub
    assert _stub_class(stub, "GetThingsRequestBodyDict") == [
        "first: Optional[int]", "where: Union[ThingWhereInput, ThingWhereInputDict, None]"]
    # JSON keys (createdAt), dates as strings too, enums as strings
    params = _stub_class(stub, "ThingParamsDict")
    assert "createdAt: Union[datetime, str, None]" in params and "kind: Optional[str]" in params
    assert "id: str" in params  # required: not None
    # AND takes one filter or a list; a relation to another filter is not followed
    assert _stub_class(stub, "ThingWhereInputDict") == [
        "AND: Union[ThingWhereInput, ThingWhereInputDict, Sequence[Union[ThingWhereInput, "
        "ThingWhereInputDict]], None]",
        "name_contains: Optional[str]",
        "other: Union[OtherWhereInput, Mapping[str, Any], None]"]
    assert "class OtherWhereInputDict(" not in stub
    # answers only (Thing) get none
    assert "class ThingDict(" not in stub
    # a model only requests carry takes dicts in its fields too; an answer's does not
    assert "where: Union[ThingWhereInput, ThingWhereInputDict, None] = ..." in _stub_class(
        stub, "GetThingsRequestBody")
    assert "created_at: Optional[datetime] = ..." in _stub_class(stub, "Thing")
    api = files["cloudtower/api/thing_api.pyi"]
    assert "get_things_request_body: Union[GetThingsRequestBody, GetThingsRequestBodyDict]" in api
    assert "thing_params: Sequence[Union[ThingParams, ThingParamsDict]]" in api
    assert "GetThingsRequestBodyDict" in api.split("\nclass ", 1)[0]  # imported


def test_each_typeddict_of_the_package_has_its_models_json_keys(cg):
    """The committed stubs against the models of the API shapes in specs/."""
    import io
    import os
    import re
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with io.open(os.path.join(root, "cloudtower", "models", "__init__.pyi"), encoding="utf-8") as handle:
        stub = handle.read()
    models = cg.merge.Merged(cg.merge.load_all(os.path.join(root, "specs"))).models
    names = re.findall(r"^class (\w+)Dict\(TypedDict, total=False\):$", stub, re.M)
    assert len(names) > 500 and "GetVmsRequestBody" in names and "VmWhereInput" in names
    for name in names:
        keys = [line.split(":", 1)[0] for line in _stub_class(stub, name + "Dict") if line != "pass"]
        assert sorted(keys) == sorted(f.key for f in models[name].fields), name
