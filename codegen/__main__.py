"""Regenerate the SDK: ``python -m codegen [--specs DIR] [--check]``.

It reads the API shapes of every CloudTower version in ``specs/`` (see
specs/README.md), merges them (codegen/merge.py) and writes the package's
generated files. Without ``--check`` it writes every generated file and
deletes generated files that are no longer produced; with ``--check`` it
changes nothing and exits 1 if the committed files differ from what the
shapes produce.
"""
import argparse
import os
import sys

from codegen import merge
from codegen.emit import generate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SPECS = os.path.join(ROOT, "specs")
GENERATED_DIRS = ("cloudtower/api", "cloudtower/models", "docs/api")


def existing_generated(root):
    found = set()
    for folder in GENERATED_DIRS:
        for dirpath, _, filenames in os.walk(os.path.join(root, folder)):
            for filename in filenames:
                if filename.endswith((".py", ".pyi", ".md")):
                    found.add(os.path.relpath(os.path.join(dirpath, filename), root))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--specs", default=DEFAULT_SPECS,
                        help="the folder of API shapes (default: specs/ of this repository)")
    parser.add_argument("--out", default=ROOT, help="the project folder to write into")
    parser.add_argument("--check", action="store_true",
                        help="compare with the files on disk instead of writing")
    args = parser.parse_args(argv)
    shapes = merge.load_all(args.specs)
    if not shapes:
        parser.error("no API shapes (*.json.gz) in %s" % args.specs)
    files = generate(merge.Merged(shapes))
    old = existing_generated(args.out)
    stale = sorted(old - set(files))
    changed = []
    for rel, text in files.items():
        path = os.path.join(args.out, rel)
        current = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        if current != text:
            changed.append(rel)
            if not args.check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
    if args.check:
        for rel in changed:
            print("differs: %s" % rel)
        for rel in stale:
            print("not generated any more: %s" % rel)
        if changed or stale:
            print("%d generated files are out of date; run `python -m codegen`" % (len(changed) + len(stale)))
            return 1
        print("generated files match the API shapes (%d files)" % len(files))
        return 0
    for rel in stale:
        os.remove(os.path.join(args.out, rel))
    print("wrote %d of %d generated files, removed %d" % (len(changed), len(files), len(stale)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
