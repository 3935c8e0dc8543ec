"""Reduce CloudTower OpenAPI documents to shapes in ``specs/``.

    python -m codegen.openapi DOCUMENT [DOCUMENT ...] [--out specs]

A document is ``cloudtower-<version>.json`` or ``.json.gz``; its shape goes to
``<out>/<version>.json.gz``. Only names, types and constraints are kept
(``codegen.shape``), never the document's prose.
"""
import argparse
import collections
import gzip
import json
import os
import re
import sys

from codegen import shape as shapes
from codegen.spec import Spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_document(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        return json.loads(handle.read().decode("utf-8"), object_pairs_hook=collections.OrderedDict)


def version_of(path, document):
    match = re.search(r"(\d+\.\d+\.\d+)", os.path.basename(path))
    return match.group(1) if match else document.get("info", {}).get("version")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m codegen.openapi", description=__doc__.split("\n")[0])
    parser.add_argument("documents", nargs="+")
    parser.add_argument("--out", default=os.path.join(ROOT, "specs"))
    args = parser.parse_args(argv)
    for path in args.documents:
        document = load_document(path)
        version = version_of(path, document)
        shape = shapes.shape_from_spec(Spec(document), version, "openapi")
        target = os.path.join(args.out, "%s.json.gz" % version)
        shapes.write(shape, target)
        print("%s: %d API classes, %d models -> %s" % (
            version, len(shape["apis"]), len(shape["models"]), os.path.relpath(target)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
