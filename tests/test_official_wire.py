# coding: utf-8
"""Side by side with the official SDK: every method of an official release
(cloudtower-sdk 2.23.0 and 2.20.0 from PyPI) called with the same arguments
through the official SDK and through ours must put the same request on the wire.

- The official SDK is installed into ``.tox/official-<release>`` (a virtualenv
  of this Python, reused while ``pip show cloudtower-sdk`` says the right
  version) and driven there by tests/official_driver.py, which imports only it.
- The call plan is made here: every method of every API class of the release
  (tests/data/official-surfaces.json.gz), its positional parameters as that
  release has them and its other parameters by keyword (the driver lists what
  each official method takes); values from ``cloudtower.simulator.fake.Faker``,
  limited to the fields and enum values the release has. Bodies are dicts for
  most calls, model objects for a third (the official side builds its own
  models through ``attribute_map``; ours by keyword or with ``from_json``;
  dicts where the release has no model of that name), and only the required
  fields for a sixth; files are the path of a small temporary file. Then a few
  extra calls: VmApi.get_vms with each of the official methods' own keyword
  arguments (``_headers``, ``_request_auth`` ...), and values the official SDK
  checks itself (get_resource_changes with limit 0 and 1001). Both sides have
  the token ``token-1`` and a user name and password (HTTP basic auth).
- A loopback server answers everything 200 with JSON fitting the return type
  (and ``/get-version`` with a non-version, so ours refuses nothing for the
  version's sake) and records what each side sent: method, path, query,
  Content-Type (multipart: the form fields, not the boundary), the headers
  (Authorization, content-language, external-cloudtower-id, Accept ...) and the
  JSON body.
- Each call the official SDK sent must be sent identically by ours; calls the
  official SDK refuses client-side are listed (ours may send or refuse them).
  Known differences are listed in KNOWN with their reasons; one that no
  longer occurs fails too, so that the list stays true.

Needs PyPI (pip), so it runs in the tox ``wire`` environment only (marker ``wire``).
"""
from __future__ import print_function

import gzip
import importlib
import json
import os
import re
import subprocess
import tempfile
import warnings

import pytest

from cloudtower import ApiClient, Configuration
from cloudtower.api.operations import OPERATIONS
from cloudtower.model import DICT_TYPE, LIST_TYPE, is_enum, model_class
from cloudtower.simulator.fake import Faker
from tests import official_sdk
from tests.loopback import LoopbackServer

try:
    from urllib.parse import parse_qs
except ImportError:  # Python 2: collected there, and deselected by the marker
    from urlparse import parse_qs

pytestmark = pytest.mark.wire

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DRIVER = os.path.join(HERE, "official_driver.py")
RELEASES_UNDER_TEST = ["2.23.0", "2.20.0"]
TOKEN = "token-1"
# HTTP basic auth too, for the operations that use it (get_resource_changes)
USERNAME, PASSWORD = "wire-user", "wire-password"
LANGUAGE = "en-US"
UPLOAD_NAME, UPLOAD_DATA = "upload.bin", b"payload-bytes"
# headers not compared: the transport's own, and the User-Agent, which names each SDK
IGNORED_HEADERS = {"host", "user-agent", "accept-encoding", "connection", "content-length",
                   "content-type"}
_LIST, _DICT = LIST_TYPE, DICT_TYPE

with gzip.open(os.path.join(HERE, "data", "official-surfaces.json.gz"), "rb") as _handle:
    SURFACE = json.loads(_handle.read().decode("utf-8"))

# -- known differences -----------------------------------------------------------
#
# Each: ``kind`` is what differs, as ``compare`` names it ("body", "query",
# "header <name>", "content-type", "multipart", "multipart order", "path",
# "method") or "refused by us"; ``methods`` the "Class.method"s it is known
# for ("*": any); ``official`` / ``ours``, when given, the values each side
# sent. Each entry must occur in every release it names.
ANY = object()
KNOWN = [
    # none: every call the official SDK sends, ours sends the same
]


# -- the official SDK's environment ------------------------------------------------

official_python = official_sdk.official_python


def run_driver(python, workdir, *args):
    """tests/official_driver.py in the official environment, isolated from this checkout."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("PYTHON"))
    done = subprocess.run([python, "-I", DRIVER] + list(args), cwd=workdir, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=500)
    assert done.returncode == 0, "the driver failed:\n%s" % done.stdout[-5000:]
    with open(args[-1]) as handle:
        return json.load(handle)


# -- the release's surface ----------------------------------------------------------

def _releases_of(spans):
    found = []
    for part in spans.split(","):
        first, _, last = part.partition("-")
        found.extend(SURFACE["releases"][int(first):int(last or first) + 1])
    return found


class ReleaseSurface(object):
    """What one release has: its API methods, its models' fields and enum values."""

    def __init__(self, release):
        self.release = release
        self.methods = []  # (module, class, method, positional parameters)
        for class_name, api in sorted(SURFACE["apis"].items()):
            if release not in _releases_of(api["in"]):
                continue
            for method, variants in sorted(api["methods"].items()):
                for params, spans in variants:
                    if release in _releases_of(spans):
                        self.methods.append((api["module"], class_name, method, params))
        self.models = set()
        self.fields = {}  # model -> {attribute: JSON key}
        self.enums = {}  # enum -> [values]
        for name, model in SURFACE["models"].items():
            if release not in _releases_of(model["in"]):
                continue
            self.models.add(name)
            self.fields[name] = dict((attr, key) for attr, keys in model["fields"].items()
                                     for key, spans in keys if release in _releases_of(spans))
            self.enums[name] = sorted(value for values in model["enum"].values()
                                      for value, spans in values if release in _releases_of(spans))


class ReleaseFaker(Faker):
    """Faker limited to the fields and enum values one release has."""

    def __init__(self, surface, **kwargs):
        Faker.__init__(self, **kwargs)
        self.surface = surface

    def model(self, name, full=True, depth=0):
        cls = model_class(name)
        if cls is None:
            raise KeyError("no model named %r" % name)
        if name not in self.surface.models:
            return Faker.model(self, name, full, depth)
        if is_enum(cls):
            return self.rng.choice(self.surface.enums[name] or list(cls.allowable_values))
        fields = self.surface.fields[name]
        result = {}
        required = set(cls._required)
        for attr, type_name in cls.openapi_types.items():
            if attr not in fields:
                continue
            if not (full and depth < self.max_depth) and attr not in required:
                continue
            key = fields[attr]
            allowed = cls._enum_values.get(attr)
            if allowed:
                # Faker.model gives a list of an inline enum one value, not a list
                choice = self.rng.choice
                result[key] = [choice(list(allowed))] if _LIST.match(type_name) \
                    else choice(list(allowed))
                continue
            result[key] = self.value(type_name, key, full, depth + 1, cls._constraints.get(attr))
        return result


# -- the plan ------------------------------------------------------------------------

MODES = ("dict", "model-kw", "dict", "model-json", "dict", "minimal")


def build_plan(surface, described, upload_path):
    """One call per method of the release: ``{"index", "module", "class", "method",
    "mode", "args": [spec], "kwargs": {name: spec}}`` (specs as the driver reads them)."""
    faker = ReleaseFaker(surface, seed=23, max_depth=2)
    calls = []
    for index, (module, class_name, method, positional) in enumerate(surface.methods):
        mode = MODES[index % len(MODES)]
        op = OPERATIONS.get(method)
        takes = described["methods"].get("%s.%s" % (class_name, method))
        assert takes is not None, "%s.%s: the release lists it, the installed SDK lacks it" % (
            class_name, method)
        aliases = dict(op.aliases) if op is not None else {}
        args, kwargs = [], {}
        for param in takes:
            if param not in positional and mode == "minimal" and param != "content_language":
                continue  # only what must be given
            spec = _argument(faker, op, aliases.get(param, param), param, mode, upload_path)
            if param in positional:
                args.append(spec)
            else:
                kwargs[param] = spec
        assert len(args) == len(positional), "%s.%s: %s not all in %s" % (
            class_name, method, positional, takes)
        calls.append({"index": index, "module": module, "class": class_name, "method": method,
                      "mode": mode, "args": args, "kwargs": kwargs})
    return calls + _extra_calls(calls, len(calls))


# The official methods' other keyword arguments, once each on a plain call
# (VmApi.get_vms), and values the official SDK checks itself.
EXTRA_KWARGS = [
    ("_request_timeout", 30),
    ("_return_http_data_only", True),
    ("_preload_content", True),
    ("_headers", {"x-wire-test": "on"}),
    ("_content_type", "application/json"),
    ("_request_auth", {"in": "header", "key": "Authorization", "value": "token-2",
                       "type": "api_key"}),
]
EXTRA_QUERIES = [("ResourceChangeApi", "get_resource_changes", "limit", value) for value in (0, 1001)]


def _extra_calls(calls, start):
    extra = []
    by_name = dict(("%s.%s" % (call["class"], call["method"]), call) for call in calls)
    base = by_name["VmApi.get_vms"]
    for name, value in EXTRA_KWARGS:
        call = json.loads(json.dumps(base))
        call["kwargs"][name] = {"json": value}
        call["mode"] = "extra %s=%s" % (name, json.dumps(value))
        extra.append(call)
    for class_name, method, param, value in EXTRA_QUERIES:
        if "%s.%s" % (class_name, method) in by_name:
            call = json.loads(json.dumps(by_name["%s.%s" % (class_name, method)]))
            call["kwargs"][param] = {"json": value}
            call["mode"] = "extra %s=%s" % (param, value)
            extra.append(call)
    for number, call in enumerate(extra):
        call["index"] = start + number
    return extra


def _argument(faker, op, name, official_name, mode, upload_path):
    if official_name == "content_language":
        return {"json": LANGUAGE}
    if op is not None and op.body is not None and op.body[0] == name:
        type_name = op.body[1]
        value = faker.value(type_name, full=(mode != "minimal"))
        if mode.startswith("model") and _element(type_name) in faker.surface.models:
            return {"model": type_name, "json": value}
        return {"json": value}
    fields = dict((f[0], f) for f in (op.form + op.query + op.header)) if op is not None else {}
    field = fields.get(name)
    if field is not None and field[2] == "file":
        return {"file": upload_path}
    type_name = field[2] if field is not None else "str"
    wire = field[1] if field is not None else official_name
    return {"json": faker.value(type_name, wire)}


def _element(type_name):
    inner = _LIST.match(type_name)
    return inner.group(1) if inner else type_name


# -- our side ------------------------------------------------------------------------

def our_argument(spec, mode):
    if "file" in spec:
        return spec["file"]
    if "model" not in spec:
        return spec["json"]
    if mode == "model-json":
        return _from_json(spec["model"], spec["json"])
    return _by_keyword(spec["model"], spec["json"])


def _from_json(type_name, value):
    inner = _LIST.match(type_name)
    if inner:
        return [_from_json(inner.group(1), item) for item in value]
    cls = model_class(type_name)
    if cls is None or is_enum(cls) or not isinstance(value, dict):
        return value
    return cls.from_json(value)


def _by_keyword(type_name, value):
    """Our model objects, built as a user would: keyword arguments, nested models."""
    if value is None:
        return None
    inner = _LIST.match(type_name)
    if inner:
        return [_by_keyword(inner.group(1), item) for item in value]
    pair = _DICT.match(type_name)
    if pair:
        return dict((key, _by_keyword(pair.group(2), item)) for key, item in value.items())
    cls = model_class(type_name)
    if cls is None or is_enum(cls) or not isinstance(value, dict):
        return value
    attrs = dict((key, attr) for attr, key in cls.attribute_map.items())
    return cls(**dict((attrs[key], _by_keyword(cls.openapi_types[attrs[key]], item))
                      for key, item in value.items()))


def run_ours(calls, url):
    conf = Configuration(host=url, username=USERNAME, password=PASSWORD)
    conf.api_key["Authorization"] = TOKEN
    client = ApiClient(conf)
    assert client.cloudtower_version() is None  # asked once, now: "unknown"
    errors = {}
    yield -1, None  # the question above is no call's
    try:
        for call in calls:
            try:
                args = [our_argument(spec, call["mode"]) for spec in call["args"]]
                kwargs = dict((key, our_argument(spec, call["mode"]))
                              for key, spec in call["kwargs"].items())
                api = getattr(importlib.import_module(call["module"]), call["class"])(client)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)  # removed and renamed names
                    getattr(api, call["method"])(*args, **kwargs)
            except Exception as error:  # every failure is a result
                errors[call["index"]] = "%s: %s" % (type(error).__name__, error)
            yield call["index"], errors.get(call["index"])
    finally:
        client.close()


# -- the server ----------------------------------------------------------------------

class WireServer(object):
    """Answers every operation with fitting JSON; splits what it got into calls.

    Requests go to ``/<side>/v2/api/...``; after each call its side asks
    ``/<side>/mark/<index>``, so the requests since the last mark are that call's."""

    def __init__(self, surface):
        self.faker = ReleaseFaker(surface, seed=5, max_depth=1)
        self.by_path = dict((op.path, op) for op in OPERATIONS.values())
        self.server = LoopbackServer()
        self.server.default = self.answer

    def __enter__(self):
        self.server.__enter__()
        self.root = self.server.url[:-len("/v2/api")]
        return self

    def __exit__(self, *exc):
        self.server.__exit__(*exc)

    def url(self, side):
        return "%s/%s/v2/api" % (self.root, side)

    def mark_url(self, side):
        return "%s/%s/mark" % (self.root, side)

    def answer(self, request):
        path = request.path.split("?")[0]
        if "/mark/" in path:
            return {"status": 200, "body": "ok"}
        op = self.by_path.get(path.split("/v2/api", 1)[-1])
        if op is None:
            return {"status": 200, "body": "null"}
        if op.name == "get_api_version" and request.header("Authorization") is None:
            return {"status": 200, "body": json.dumps("unknown")}
        body = self.faker.value(op.return_type) if op.return_type else None
        return {"status": 200, "body": json.dumps(body)}

    def calls(self, side):
        """{call index: [requests]} from what ``side`` sent."""
        found, pending = {}, []
        prefix = "/%s/" % side
        for request in list(self.server.received):
            if not request.path.startswith(prefix):
                continue
            mark = re.match(r"^/[^/]+/mark/(-?\d+)$", request.path)
            if mark:
                found[int(mark.group(1))] = pending
                pending = []
            else:
                pending.append(request)
        return found


def wire_view(request):
    """What a request says, comparable across the two SDKs."""
    path, _, query = request.path.partition("?")
    view = {"method": request.method, "path": path.split("/", 2)[2],
            "query": parse_qs(query, keep_blank_values=True)}
    content_type = request.header("Content-Type")
    if content_type and content_type.startswith("multipart/form-data"):
        view["content-type"] = "multipart/form-data"
        view["multipart"] = _form_fields(content_type, request.body)
    else:
        view["content-type"] = content_type
        if request.body:
            try:
                view["body"] = json.loads(request.body.decode("utf-8"))
            except ValueError:
                view["body"] = "<not JSON> %r" % request.body[:200]
        else:
            view["body"] = "<no body>"
    for key, value in request.headers.items():
        if key.lower() not in IGNORED_HEADERS:
            view["header " + key.lower()] = value
    return view


def _form_fields(content_type, body):
    import email.policy
    message = email.message_from_bytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body,
        policy=email.policy.HTTP)
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        data = part.get_payload(decode=True)
        if filename is None:
            fields.append([name, data.decode("utf-8")])
        else:
            fields.append([name, {"filename": filename, "content-type": part.get_content_type(),
                                  "data": data.decode("latin-1")}])
    return fields


def compare(official, ours):
    """[(kind, official's, ours)] for what differs between two request views."""
    found = []
    for key in sorted(set(official) | set(ours)):
        left, right = official.get(key, "<absent>"), ours.get(key, "<absent>")
        if left == right:
            continue
        if key == "multipart" and isinstance(left, list) and isinstance(right, list) \
                and sorted(left, key=json.dumps) == sorted(right, key=json.dumps):
            key = "multipart order"
            left, right = [field[0] for field in left], [field[0] for field in right]
        found.append((key, left, right))
    return found


def json_diff(official, ours, path=""):
    """Readable lines for where two JSON values differ."""
    if isinstance(official, dict) and isinstance(ours, dict):
        lines = []
        for key in sorted(set(official) | set(ours)):
            where = "%s.%s" % (path, key) if path else key
            if key not in ours:
                lines.append("  %s: only official sent it: %s" % (where, _short(official[key])))
            elif key not in official:
                lines.append("  %s: only ours sent it: %s" % (where, _short(ours[key])))
            else:
                lines.extend(json_diff(official[key], ours[key], where))
        return lines
    if isinstance(official, list) and isinstance(ours, list) and len(official) == len(ours):
        lines = []
        for index, (left, right) in enumerate(zip(official, ours)):
            lines.extend(json_diff(left, right, "%s[%d]" % (path, index)))
        return lines
    if official != ours:
        return ["  %s: official %s, ours %s" % (path or "(whole)", _short(official), _short(ours))]
    return []


def _short(value):
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 300 else text[:300] + "..."


def _known(release, where, mode, kind, official=ANY, ours=ANY):
    for entry in KNOWN:
        if entry["releases"] != "*" and release not in entry["releases"]:
            continue
        if entry["methods"] != "*" and where not in entry["methods"]:
            continue
        if "modes" in entry and mode not in entry["modes"]:
            continue
        if entry["kind"] != kind:
            continue
        if entry.get("official", ANY) not in (ANY, official) \
                or entry.get("ours", ANY) not in (ANY, ours):
            continue
        return entry
    return None


def _applies(entry, release):
    return entry["releases"] == "*" or release in entry["releases"]


# -- the test --------------------------------------------------------------------------

@pytest.mark.parametrize("release", RELEASES_UNDER_TEST)
def test_same_requests_as_the_official_sdk(release, tmp_path):
    python = official_python(release)
    workdir = str(tmp_path)
    described = run_driver(python, workdir, "describe", os.path.join(workdir, "described.json"))
    assert described["version"] == release, described["version"]
    assert described["file"].startswith(os.path.realpath(os.path.dirname(os.path.dirname(python)))) \
        or described["file"].startswith(os.path.dirname(os.path.dirname(python))), \
        "the driver imported %s, not the official SDK" % described["file"]

    upload_dir = tempfile.mkdtemp(dir=workdir)
    upload_path = os.path.join(upload_dir, UPLOAD_NAME)
    with open(upload_path, "wb") as handle:
        handle.write(UPLOAD_DATA)
    surface = ReleaseSurface(release)
    calls = build_plan(surface, described, upload_path)
    by_index = dict((call["index"], call) for call in calls)

    with WireServer(surface) as server:
        plan_path = os.path.join(workdir, "plan.json")
        with open(plan_path, "w") as handle:
            json.dump({"url": server.url("official"), "mark_url": server.mark_url("official"),
                       "token": TOKEN, "username": USERNAME, "password": PASSWORD,
                       "calls": calls}, handle)
        official_results = run_driver(python, workdir, "run", plan_path,
                                      os.path.join(workdir, "official.json"))["results"]
        official_errors = dict((r["index"], r["error"]) for r in official_results if r["error"])
        opener = _plain_opener()
        our_errors = {}
        for index, error in run_ours(calls, server.url("ours")):
            if error:
                our_errors[index] = error
            opener.open("%s/%d" % (server.mark_url("ours"), index), timeout=30).read()
        official_sent = server.calls("official")
        our_sent = server.calls("ours")

    identical, differ, refused_by_us, refused_by_official = [], [], [], []
    unexpected, seen_known = [], set()
    for index in sorted(by_index):
        call = by_index[index]
        where = "%s.%s" % (call["class"], call["method"])
        label = "%s [%s]" % (where, call["mode"])
        theirs, mine = official_sent.get(index), our_sent.get(index)
        assert theirs is not None and mine is not None, "%s: no mark from both sides" % label
        assert len(theirs) <= 1, "%s: the official SDK sent %d requests" % (label, len(theirs))
        assert len(mine) <= 1, "%s: ours sent %d requests" % (label, len(mine))
        if not theirs:
            refused_by_official.append("%s: official: %s; ours: %s" % (
                label, official_errors.get(index), "refused: %s" % our_errors.get(index)
                if not mine else "sent"))
            continue
        if not mine:
            refused_by_us.append("%s: %s" % (label, our_errors.get(index)))
            entry = _known(release, where, call["mode"], "refused by us")
            if entry is None:
                unexpected.append(refused_by_us[-1])
            else:
                seen_known.add(KNOWN.index(entry))
            continue
        left, right = wire_view(theirs[0]), wire_view(mine[0])
        differences = compare(left, right)
        if not differences:
            identical.append(label)
            continue
        lines = ["%s: %s %s" % (label, left["method"], left["path"])]
        for kind, a, b in differences:
            entry = _known(release, where, call["mode"], kind, a, b)
            if entry is not None:
                seen_known.add(KNOWN.index(entry))
            if kind == "body" and isinstance(a, (dict, list)) and isinstance(b, (dict, list)):
                lines.append(" body differs:")
                lines.extend(json_diff(a, b))
            else:
                lines.append("  %s: official %s, ours %s" % (kind, _short(a), _short(b)))
            if entry is None:
                unexpected.append("%s: %s" % (label, kind))
        differ.append("\n".join(lines))

    print("\n%s: %d calls, %d identical, %d differ, %d refused only by us, %d refused by the "
          "official SDK (%d of the differences not in KNOWN)" % (
              release, len(calls), len(identical), len(differ), len(refused_by_us),
              len(refused_by_official), len(unexpected)))
    for title, items in (("differ", differ), ("refused only by us", refused_by_us),
                         ("refused by the official SDK (ours: sent or refused)",
                          refused_by_official)):
        if items:
            print("-- %s %s:" % (release, title))
            for item in items:
                print(item)
    stale = [entry for number, entry in enumerate(KNOWN)
             if _applies(entry, release) and number not in seen_known]
    assert not unexpected, "%s: %d unexpected differences (see the output above): %s" % (
        release, len(unexpected), unexpected[:20])
    assert not stale, "%s: known differences that no longer occur: %s" % (release, stale)
    assert len(identical) + len(differ) + len(refused_by_us) > 0.9 * len(calls)


def _plain_opener():
    from urllib.request import ProxyHandler, build_opener
    return build_opener(ProxyHandler({}))
