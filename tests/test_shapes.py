# coding: utf-8
"""The shapes in ``specs/`` against the official ``cloudtower-sdk`` releases.

- For every release generated from a CloudTower version whose shape comes
  from its OpenAPI document, the shape ``codegen.wheel`` reads from the
  release equals the document's, except for the differences listed below,
  each with its reason (a listed difference that no longer occurs fails too).
- The shapes read from releases (the versions without a public document) are
  exactly what ``codegen.wheel`` reads from those releases now.
- ``specs/versions.json`` lists every shape, in order, with its source.
- ``codegen.wheel`` on small hand-written modules.

Needs PyPI (``pip download``), so it runs in the tox ``codegen`` environment
only (marker ``shapes``). Wheels are kept in ``$CLOUDTOWER_WHEEL_CACHE``, else
in ``.tox/official-wheels``, and reused; a failed download fails the test.
"""
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile

import pytest

pytestmark = pytest.mark.shapes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = os.path.join(ROOT, "specs")


def _versions():
    with open(os.path.join(SPECS, "versions.json")) as handle:
        return json.load(handle)["versions"]


VERSIONS = _versions()
# (release, CloudTower version) for the releases of document-derived shapes
DOCUMENTED = [(release, entry["cloudtower"]) for entry in VERSIONS
              if entry["source"] == "openapi" for release in entry["releases"]]
# (CloudTower version, release) for the shapes read from a release
DERIVED = [(entry["cloudtower"], entry["source"].split("==", 1)[1]) for entry in VERSIONS
           if entry["source"] != "openapi"]


def _key(version):
    return tuple(int(part) for part in re.findall(r"\d+", version))


# -- deliberate differences ----------------------------------------------------
#
# (side, pattern, reason): ``side`` is where the facts are ("release": only in
# the shape read from the release, "document": only in the document's,
# "both"); a pattern matches a fact of ``codegen.shape.comparable`` element by
# element from the start, "*" matching anything and "x*" anything starting
# with "x". A release lists only its own; each entry must match something.

NOT_IN_RELEASE = ("the published document has it, the release was generated from an "
                  "earlier revision of the document without it")
ONLY_IN_RELEASE = ("the release has it, the published document does not: the release "
                   "was generated from another revision of the document")
DATA_POINT_T = ("DataPoint.t: this published document says number/double, the release "
                "int (generated from a revision that said int64, as most documents do)")
REPLICA_NAMES = ("VmVolumeElfStoragePolicyType: releases 2.15.0-2.17.0 name the REPLICA_* "
                 "values in full (REPLICA_1_THIN_PROVISION), the others and "
                 "codegen.spec.ENUM_PREFIX_OVERRIDES _1_THIN_PROVISION; the generated "
                 "enum carries both names (codegen.emit._enum_names)")

REPLICA_CONSTANTS = [
    ("release", ("const", "VmVolumeElfStoragePolicyType", "REPLICA_*"), REPLICA_NAMES),
    ("document", ("const", "VmVolumeElfStoragePolicyType", "_*"), REPLICA_NAMES),
]
WITNESS_MANAGEMENT_IP = [
    ("document", ("field", "Witness", "management_ip"), NOT_IN_RELEASE),
    ("document", ("field", "WitnessWhereInput", "management_ip*"), NOT_IN_RELEASE),
]
DATA_POINT = [("both", ("field", "DataPoint", "t"), DATA_POINT_T)]

DELIBERATE = {
    "1.10.0.post1": WITNESS_MANAGEMENT_IP,
    "2.0.0": WITNESS_MANAGEMENT_IP,
    "2.1.0": [
        ("release", ("*", "VmApi", "create_vm_from_content_library_template"), ONLY_IN_RELEASE),
        ("release", ("*", "VmCreateVmFromContentLibraryTemplateParams"), ONLY_IN_RELEASE),
    ],
    "2.6.0": DATA_POINT,
    "2.7.0": DATA_POINT,
    "2.10.0": DATA_POINT,
    "2.11.1": DATA_POINT,
    "2.12.0": DATA_POINT,
    "2.13.1": [
        ("release", ("*", "VmApi", "create_vm_from_content_library_template_batch"),
         ONLY_IN_RELEASE),
    ],
    "2.14.2": DATA_POINT + [
        ("both", ("*", "UserAuditLogApi", "create_*"),
         "the 4.0.0 document gives /create-user-audit-log the operation id CreateRole "
         "(create_role); the release, like the documents from 4.1.0 on, has "
         "create_user_audit_log"),
    ],
    "2.15.0": REPLICA_CONSTANTS + [
        ("both", ("field", "*", "unique_logical_size*"),
         "unique_logical_size (IscsiLun, NfsInode, NvmfNamespace, Vm, VmVolume and their "
         "where inputs): int in 2.15.0, number in the document; 2.15.1 has float"),
    ],
    "2.15.1": REPLICA_CONSTANTS,
    "2.16.0": REPLICA_CONSTANTS,
    "2.17.0": REPLICA_CONSTANTS + DATA_POINT,
    "2.20.0": [
        ("document", ("*", "SecurityGroupMemberType"), NOT_IN_RELEASE),
        ("document", ("field", "SecurityGroupWhereInput", "ips*"), NOT_IN_RELEASE),
        ("document", ("field", "SecurityGroupWhereInput", "exclude_ips*"), NOT_IN_RELEASE),
        ("document", ("field", "SecurityGroupWhereInput", "member_type*"), NOT_IN_RELEASE),
    ],
}

def expected_differences(release):
    return list(DELIBERATE.get(release, ()))


def matches(pattern, fact):
    if len(pattern) > len(fact):
        return False
    for want, have in zip(pattern, fact):
        if want == "*":
            continue
        if isinstance(want, str) and want.endswith("*") and isinstance(have, str):
            if not have.startswith(want[:-1]):
                return False
        elif want != have:
            return False
    return True


def unexplained(rules, only_release, only_document):
    """(facts no rule explains, rules that explain nothing)."""
    used, left = set(), []
    for side, facts in (("release", only_release), ("document", only_document)):
        for fact in facts:
            hits = [index for index, (where, pattern, _) in enumerate(rules)
                    if where in (side, "both") and matches(pattern, fact)]
            used.update(hits)
            if not hits:
                left.append((side, fact))
    return left, [rule for index, rule in enumerate(rules) if index not in used]


# -- the releases ------------------------------------------------------------

def wheel_cache():
    path = os.environ.get("CLOUDTOWER_WHEEL_CACHE") or os.path.join(ROOT, ".tox", "official-wheels")
    if not os.path.isdir(path):
        os.makedirs(path)
    return path


def _cached(folder, release):
    prefix = "cloudtower_sdk-%s-" % release
    found = [name for name in os.listdir(folder) if name.startswith(prefix) and name.endswith(".whl")]
    return os.path.join(folder, sorted(found)[0]) if found else None


def official_wheel(release):
    """The wheel of ``cloudtower-sdk==release``, downloaded from PyPI once."""
    folder = wheel_cache()
    path = _cached(folder, release)
    if path:
        return path
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--dest", folder, "cloudtower-sdk==%s" % release]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.communicate()[0].decode("utf-8", "replace")
    path = _cached(folder, release)
    if process.returncode != 0 or not path:
        pytest.fail("could not download cloudtower-sdk==%s from PyPI into %s (exit %s):\n%s"
                    % (release, folder, process.returncode, output), pytrace=False)
    return path


def _format(facts, limit=60):
    lines = ["  %-8s %r" % item for item in facts[:limit]]
    if len(facts) > limit:
        lines.append("  ... and %d more" % (len(facts) - limit))
    return "\n".join(lines)


@pytest.mark.parametrize("release,version", DOCUMENTED, ids=[r for r, _ in DOCUMENTED])
def test_release_has_the_shape_of_its_document(release, version):
    from codegen import shape as shapes, wheel
    derived = wheel.read_wheel(official_wheel(release), version)
    documented = shapes.read(os.path.join(SPECS, "%s.json.gz" % version))
    only_release, only_document = shapes.differences(derived, documented)
    left, stale = unexplained(expected_differences(release), only_release, only_document)
    message = []
    if left:
        message.append("cloudtower-sdk==%s differs from specs/%s.json.gz in %d facts no listed "
                       "reason explains:\n%s" % (release, version, len(left), _format(left)))
    if stale:
        message.append("listed differences that no longer occur (remove them):\n%s"
                       % "\n".join("  %s %r: %s" % rule for rule in stale))
    assert not message, "\n".join(message)


@pytest.mark.parametrize("version,release", DERIVED, ids=[v for v, _ in DERIVED])
def test_derived_shape_is_what_the_reader_makes_of_its_release(version, release, tmp_path):
    from codegen import shape as shapes, wheel
    shape = wheel.read_wheel(official_wheel(release), version)
    fresh = str(tmp_path / ("%s.json.gz" % version))
    shapes.write(shape, fresh)
    committed = os.path.join(SPECS, "%s.json.gz" % version)
    with open(fresh, "rb") as a, open(committed, "rb") as b:
        same = a.read() == b.read()
    if not same:
        only_now, only_committed = shapes.differences(shape, shapes.read(committed))
        pytest.fail("specs/%s.json.gz is not what codegen.wheel reads from cloudtower-sdk==%s "
                    "now (regenerate: python -m codegen.wheel WHEEL --cloudtower %s);\n"
                    "only now:\n%s\nonly committed:\n%s"
                    % (version, release, version,
                       _format([("", f) for f in only_now]),
                       _format([("", f) for f in only_committed])), pytrace=False)


def test_versions_json_lists_every_shape_in_order():
    from codegen import shape as shapes
    names = [entry["cloudtower"] for entry in VERSIONS]
    assert names == sorted(names, key=_key), "versions.json is not in ascending order"
    assert len(set(names)) == len(names)
    files = sorted(name[:-len(".json.gz")] for name in os.listdir(SPECS) if name.endswith(".json.gz"))
    assert sorted(names) == files, "versions.json and specs/*.json.gz differ"
    releases = [release for entry in VERSIONS for release in entry["releases"]]
    assert len(set(releases)) == len(releases), "a release is listed twice"
    for entry in VERSIONS:
        shape = shapes.read(os.path.join(SPECS, "%s.json.gz" % entry["cloudtower"]))
        assert shape["cloudtower"] == entry["cloudtower"]
        assert shape["source"] == entry["source"], entry["cloudtower"]
        if entry["source"] != "openapi":
            assert entry["source"] == "cloudtower-sdk==%s" % entry["releases"][0]
            for api in shape["apis"].values():
                assert not any("id" in op for op in api["methods"].values())


# -- the reader on hand-written modules ----------------------------------------

PET_API = textwrap.dedent('''
    class PetApi(object):
        def feed(self, meal, **kwargs):
            return self.feed_with_http_info(meal, **kwargs)

        def feed_with_http_info(self, meal, **kwargs):
            """Feeds.

            :param meal: (required)
            :type meal: list[Meal]
            :param trace_id:
            :type trace_id: str
            :param dry_run:
            :type dry_run: bool
            :param note:
            :type note: str
            :param photo: (required)
            :type photo: file
            :param async_req: whether to wait
            :type async_req: bool, optional
            """
            local_var_params = locals()
            all_params = ['meal', 'photo', 'trace_id', 'dry_run', 'note']
            all_params.extend(['async_req', '_request_timeout'])
            if self.api_client.client_side_validation and (
                    'meal' not in local_var_params or local_var_params['meal'] is None):
                raise ApiValueError("no meal")
            if self.api_client.client_side_validation and (
                    'photo' not in local_var_params or local_var_params['photo'] is None):
                raise ApiValueError("no photo")
            if self.api_client.client_side_validation and 'dry_run' in local_var_params \\
                    and local_var_params['dry_run'] > 3:
                raise ApiValueError("a bound on a query parameter")
            query_params = []
            if local_var_params.get('dry_run') is not None:
                query_params.append(('dryRun', local_var_params['dry_run']))
            header_params = dict(local_var_params.get('_headers', {}))
            if 'trace_id' in local_var_params:
                header_params['x-trace-id'] = local_var_params['trace_id']
            form_params = []
            local_var_files = {}
            if 'note' in local_var_params:
                form_params.append(('note', local_var_params['note']))
            if 'photo' in local_var_params:
                local_var_files['photo'] = local_var_params['photo']
            body_params = None
            if 'meal' in local_var_params:
                body_params = local_var_params['meal']
            header_params['Accept'] = self.api_client.select_header_accept(['application/json'])
            auth_settings = ['Token', 'Basic']
            response_types_map = {200: "list[Pet]", 404: "Problem"}
            return self.api_client.call_api(
                '/feed-pets', 'POST', {}, query_params, header_params, body=body_params,
                post_params=form_params, files=local_var_files,
                response_types_map=response_types_map, auth_settings=auth_settings)

        def walk_with_http_info(self, **kwargs):
            """Walks."""
            local_var_params = locals()
            all_params = []
            response_types_map = {}
            return self.api_client.call_api('/walk', 'GET', {}, [], {})
''')

BOWL_MODEL = textwrap.dedent('''
    class Bowl(object):
        openapi_types = {'size': 'int', 'label': 'str', 'colour': 'str', 'tags': 'list[str]',
                         'ratio': 'float', 'kind': 'BowlKind'}
        attribute_map = {'size': 'size', 'label': 'label', 'colour': 'colour', 'tags': 'tags',
                         'ratio': 'ratio', 'kind': 'kindOf'}

        def __init__(self, **kwargs):
            self._size = None

        @property
        def size(self):
            return self._size

        @size.setter
        def size(self, size):
            """Sets size."""
            if self.local_vars_configuration.client_side_validation and size is None:
                raise ValueError("size: None")
            if (self.local_vars_configuration.client_side_validation and
                    size is not None and size > 12):
                raise ValueError("size: too big")
            if (self.local_vars_configuration.client_side_validation and
                    size is not None and size < 1):
                raise ValueError("size: too small")
            self._size = size

        @label.setter
        def label(self, label):
            if (self.local_vars_configuration.client_side_validation and
                    label is not None and len(label) > 8):
                raise ValueError("label: too long")
            if (self.local_vars_configuration.client_side_validation and
                    label is not None and len(label) < 2):
                raise ValueError("label: too short")
            if (self.local_vars_configuration.client_side_validation and
                    label is not None and not re.search(r'^[a-z]+$', label, flags=re.I)):
                raise ValueError(r"label: must match `/^[a-z]+$/i`")
            self._label = label

        @colour.setter
        def colour(self, colour):
            allowed_values = ["red", "blue", None]
            if self.local_vars_configuration.client_side_validation and colour not in allowed_values:
                raise ValueError("colour: not allowed")
            self._colour = colour

        @tags.setter
        def tags(self, tags):
            if self.local_vars_configuration.client_side_validation and tags is None:
                raise ValueError("tags: None")
            allowed_values = ["a", "b"]
            if (self.local_vars_configuration.client_side_validation and
                    not set(tags).issubset(set(allowed_values))):
                raise ValueError("tags: not allowed")
            if (self.local_vars_configuration.client_side_validation and
                    tags is not None and len(tags) < 1):
                raise ValueError("tags: too few")
            self._tags = tags

        @ratio.setter
        def ratio(self, ratio):
            if (self.local_vars_configuration.client_side_validation and
                    ratio is not None and ratio >= 1.5):
                raise ValueError("ratio: too big")
            if (self.local_vars_configuration.client_side_validation and
                    ratio is not None and ratio <= 0):
                raise ValueError("ratio: too small")
            self._ratio = ratio

        @kind.setter
        def kind(self, kind):
            self._kind = kind
''')

BOWL_KIND = textwrap.dedent('''
    class BowlKind(object):
        DEEP = "deep"
        _2_FLAT = "2-flat"
        EMPTY = ""

        allowable_values = [DEEP, _2_FLAT, EMPTY]

        openapi_types = {
        }

        attribute_map = {
        }
''')


def _api(source=PET_API):
    from codegen import wheel
    return wheel.read_api(source, "cloudtower/api/pet_api.py")


def _model(source=BOWL_MODEL, name="bowl"):
    from codegen import wheel
    return wheel.read_model(source, "cloudtower/models/%s.py" % name)


def test_reader_operation():
    name, entry = _api()
    assert name == "PetApi"
    assert entry["module"] == "pet_api"
    assert list(entry["methods"]) == ["feed", "walk"]
    feed = entry["methods"]["feed"]
    assert dict(feed) == {
        "http": "POST", "path": "/feed-pets",
        "body": ["meal", "list[Meal]", True],
        # in the order the module sends them, files among the form fields
        "form": [["note", "note", "str", False], ["photo", "photo", "file", True]],
        "query": [["dry_run", "dryRun", "bool", False]],
        "header": [["trace_id", "x-trace-id", "str", False]],
        "return": "list[Pet]",
        "auth": ["Basic", "Token"],
    }
    assert list(feed) == ["http", "path", "body", "form", "query", "header", "return", "auth"]
    # no parameters, no 200 type, no authentication: the keys are left out
    assert dict(entry["methods"]["walk"]) == {"http": "GET", "path": "/walk"}


def test_reader_refuses_what_it_does_not_understand():
    from codegen import wheel
    with_path = PET_API.replace("body_params = None",
                                "path_params['id'] = local_var_params['note']\n"
                                "        body_params = None")
    with pytest.raises(wheel.WheelError, match="path parameters"):
        _api(with_path)
    unsent = PET_API.replace("all_params = ['meal',", "all_params = ['lost', 'meal',")
    with pytest.raises(wheel.WheelError, match="lost"):
        _api(unsent)
    odd = BOWL_MODEL.replace("size is not None and size < 1", "size is not None and size % 2")
    with pytest.raises(wheel.WheelError, match="unrecognised check"):
        _model(odd)


def test_reader_model():
    name, entry = _model()
    assert name == "Bowl"
    assert entry["module"] == "bowl"
    assert entry["fields"] == [
        ["size", "size", "int", 1], ["label", "label", "str", 0],
        ["colour", "colour", "str", 0], ["tags", "tags", "list[str]", 1],
        ["ratio", "ratio", "float", 0], ["kind", "kindOf", "BowlKind", 0]]
    assert entry["enums"] == {"colour": ["red", "blue", None], "tags": ["a", "b"]}
    constraints = entry["constraints"]
    assert constraints == {
        "size": {"minimum": 1, "maximum": 12},
        "label": {"minLength": 2, "maxLength": 8, "pattern": "/^[a-z]+$/i"},
        "tags": {"minItems": 1},
        "ratio": {"minimum": 0, "maximum": 1.5, "exclusiveMinimum": True,
                  "exclusiveMaximum": True},
    }
    # the keywords in the order codegen.spec writes them
    assert list(constraints["label"]) == ["minLength", "maxLength", "pattern"]
    assert list(constraints["ratio"]) == ["minimum", "maximum", "exclusiveMinimum",
                                          "exclusiveMaximum"]


def test_reader_enum():
    name, entry = _model(BOWL_KIND, "bowl_kind")
    assert name == "BowlKind"
    assert dict(entry) == {"module": "bowl_kind", "type": "str",
                           "enum": [["DEEP", "deep"], ["_2_FLAT", "2-flat"], ["EMPTY", ""]]}
    numbers = BOWL_KIND.replace('"deep"', "1").replace('"2-flat"', "2").replace('""', "3")
    assert _model(numbers, "bowl_kind")[1]["type"] == "int"


def _write_wheel(folder, release, members):
    path = os.path.join(folder, "cloudtower_sdk-%s-py2.py3-none-any.whl" % release)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_reader_reads_the_modules_the_package_index_imports(tmp_path):
    from codegen import shape as shapes, wheel
    path = _write_wheel(str(tmp_path), "9.8.7", {
        "cloudtower/__init__.py": "",
        "cloudtower/api/__init__.py": "from cloudtower.api.pet_api import PetApi\n",
        "cloudtower/api/pet_api.py": PET_API,
        "cloudtower/models/__init__.py": ("from __future__ import absolute_import\n"
                                          "from cloudtower.models.bowl import Bowl\n"
                                          "from cloudtower.models.bowl_kind import BowlKind\n"),
        "cloudtower/models/bowl.py": BOWL_MODEL,
        "cloudtower/models/bowl_kind.py": BOWL_KIND,
        # left over from an earlier generation: not imported, not read
        "cloudtower/models/old_bowl.py": "class OldBowl(object):\n    pass\n",
    })
    shape = wheel.read_wheel(path, "7.7.7")
    assert shape["cloudtower"] == "7.7.7"
    assert shape["source"] == "cloudtower-sdk==9.8.7"
    assert list(shape["apis"]) == ["PetApi"]
    assert sorted(shape["models"]) == ["Bowl", "BowlKind"]
    out = tmp_path / "specs"
    out.mkdir()
    assert wheel.main([path, "--cloudtower", "7.7.7", "--out", str(out)]) == 0
    written = shapes.read(str(out / "7.7.7.json.gz"))
    assert json.dumps(written, sort_keys=True) == json.dumps(shape, sort_keys=True)
    # the class an index names must be the one its module defines
    renamed = _write_wheel(str(tmp_path), "9.8.8", {
        "cloudtower/api/__init__.py": "from cloudtower.api.pet_api import DogApi\n",
        "cloudtower/api/pet_api.py": PET_API,
        "cloudtower/models/__init__.py": "from cloudtower.models.bowl import Bowl\n",
        "cloudtower/models/bowl.py": BOWL_MODEL,
    })
    with pytest.raises(wheel.WheelError, match="DogApi"):
        wheel.read_wheel(renamed, "7.7.7")


def test_release_of_a_wheel_file_name():
    from codegen import wheel
    assert wheel.release_of("/x/cloudtower_sdk-1.10.0.post1-py2.py3-none-any.whl") == "1.10.0.post1"
    assert wheel.release_of("cloudtower_sdk-2.23.0-py2.py3-none-any.whl") == "2.23.0"
    with pytest.raises(wheel.WheelError):
        wheel.release_of("other-1.0-py3-none-any.whl")


def test_difference_patterns():
    assert matches(("field", "Witness*", "ip"), ("field", "WitnessWhereInput", "ip", "ip", "str", 0))
    assert matches(("*", "VmApi", "create"), ("op", "VmApi", "create", "POST", "/create", None))
    assert not matches(("*", "VmApi", "create"), ("op", "VmApi", "create_batch", "POST"))
    assert not matches(("field", "A", "b", "c"), ("field", "A", "b"))
    rules = [("release", ("field", "A", "*"), "r1"), ("document", ("model", "B"), "r2")]
    left, stale = unexplained(rules, [("field", "A", "x", "x", "str", True)],
                              [("field", "A", "y", "y", "str", False)])
    assert left == [("document", ("field", "A", "y", "y", "str", False))]
    assert stale == [("document", ("model", "B"), "r2")]
