# coding: utf-8
"""Build tests/data/official-surfaces.json.gz from the public-surface listings of
the official cloudtower-sdk releases.

    python scripts/build-surface-fixture.py SURFACE_FOLDER

SURFACE_FOLDER holds ``official-sdk-<release>-surface.json[.gz]`` (API classes
with module, methods and positional parameters; models with module, attribute
names and JSON keys, enum constants with values; top-level names), one per
release. The fixture keeps every name once, with the releases that have it,
so that tests/test_surface.py can check all releases from the repository alone.
"""
import collections
import glob
import gzip
import io
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "tests", "data", "official-surfaces.json.gz")


def release_key(release):
    return tuple(int(p) for p in re.findall(r"\d+", release))


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


def spans(indexes):
    """[0, 1, 2, 5] -> "0-2,5"."""
    out, indexes = [], sorted(indexes)
    start = prev = indexes[0]
    for i in indexes[1:] + [None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        out.append("%d" % start if start == prev else "%d-%d" % (start, prev))
        if i is not None:
            start = prev = i
    return ",".join(out)


def main(argv):
    if len(argv) != 1:
        print(__doc__)
        return 2
    surfaces = {}
    for path in glob.glob(os.path.join(argv[0], "official-sdk-*-surface.json*")):
        release = re.search(r"official-sdk-(.+)-surface\.json", os.path.basename(path)).group(1)
        surfaces[release] = load(path)
    releases = sorted(surfaces, key=release_key)
    apis = collections.defaultdict(lambda: {"module": None, "in": [], "methods": collections.defaultdict(
        lambda: collections.defaultdict(list))})
    models = collections.defaultdict(lambda: {"module": None, "in": [], "fields": collections.defaultdict(
        lambda: collections.defaultdict(list)), "enum": collections.defaultdict(lambda: collections.defaultdict(list))})
    top = collections.defaultdict(list)
    for index, release in enumerate(releases):
        surface = surfaces[release]
        for name, api in surface["apis"].items():
            entry = apis[name]
            entry["module"] = api["module"]
            entry["in"].append(index)
            for method, params in api["methods"].items():
                entry["methods"][method][json.dumps(params)].append(index)
        for name, model in surface["models"].items():
            entry = models[name]
            entry["module"] = model["module"]
            entry["in"].append(index)
            for attr, key in model["attribute_map"].items():
                entry["fields"][attr][key].append(index)
            for const, value in (model.get("enum") or {}).items():
                entry["enum"][const][json.dumps(value)].append(index)
        for name in surface["top_level"]:
            top[name].append(index)
    out = {
        "releases": releases,
        "apis": dict((name, {"module": e["module"], "in": spans(e["in"]),
                             "methods": dict((m, [[json.loads(p), spans(i)] for p, i in sorted(v.items())])
                                             for m, v in sorted(e["methods"].items()))})
                     for name, e in sorted(apis.items())),
        "models": dict((name, {"module": e["module"], "in": spans(e["in"]),
                               "fields": dict((a, [[k, spans(i)] for k, i in sorted(v.items())])
                                              for a, v in sorted(e["fields"].items())),
                               "enum": dict((c, [[json.loads(x), spans(i)] for x, i in sorted(v.items())])
                                            for c, v in sorted(e["enum"].items()))})
                       for name, e in sorted(models.items())),
        "top_level": dict((name, spans(i)) for name, i in sorted(top.items())),
    }
    data = json.dumps(out, sort_keys=True, separators=(",", ":")).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as handle:
        handle.write(data)
    with open(TARGET, "wb") as handle:
        handle.write(buffer.getvalue())
    print("%d releases, %d API classes, %d models, %d top-level names -> %s (%d KiB)" % (
        len(releases), len(apis), len(models), len(top), os.path.relpath(TARGET),
        len(buffer.getvalue()) // 1024))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
