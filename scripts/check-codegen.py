# coding: utf-8
"""CI step: regenerate from ../shared/openapi and fail if the committed output differs.

The OpenAPI document is not part of the repository; where it is absent (a
clone without ../shared) there is nothing to compare with, and this says so
and succeeds.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_SPEC = os.path.join(ROOT, "..", "shared", "openapi", "cloudtower-4.6.0.json")
# where this workplace keeps ../shared, for a clone made somewhere else
WORKPLACE_SPEC = "/work/shared/openapi/cloudtower-4.6.0.json"


def main():
    spec = os.environ.get("CLOUDTOWER_OPENAPI")
    if spec and not os.path.isfile(spec):
        print("codegen check failed: CLOUDTOWER_OPENAPI=%s is not a file" % spec)
        return 1
    if not spec:
        spec = os.path.normpath(SHARED_SPEC)
        if not os.path.isfile(spec) and not os.path.isdir(os.path.dirname(spec)) \
                and os.path.isfile(WORKPLACE_SPEC):
            spec = WORKPLACE_SPEC
        if not os.path.isfile(spec):
            if os.path.isdir(os.path.dirname(spec)):
                # ../shared/openapi is there but not the document this SDK is generated from
                print("codegen check failed: %s has no %s"
                      % (os.path.dirname(spec), os.path.basename(spec)))
                return 1
            print("codegen check skipped: no OpenAPI document (%s does not exist)"
                  % os.path.dirname(spec))
            return 0
    print("codegen check: regenerating from %s" % spec)
    return subprocess.call([sys.executable, "-m", "codegen", "--check", "--spec", spec], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
