# coding: utf-8
"""CI step: regenerate from specs/ and fail if the committed output differs.

The API shapes of every CloudTower version are part of the repository
(specs/), so this check always runs: it never skips, and it reads nothing
outside the repository.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    specs = os.path.join(ROOT, "specs")
    if not any(name.endswith(".json.gz") for name in os.listdir(specs)):
        print("codegen check failed: no API shapes in %s" % specs)
        return 1
    print("codegen check: regenerating from %s" % os.path.relpath(specs, ROOT))
    return subprocess.call([sys.executable, "-m", "codegen", "--check"], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
