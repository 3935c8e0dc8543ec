# coding: utf-8
"""Summarize a tox run from its JUnit reports and result JSON (used by run-tests.sh).

Prints one line per environment and a closing ``tests: N passed, N failed,
N skipped`` line. Exits 1 when an environment failed or is missing, when a
pytest environment ran no test at all, or when no test ran anywhere.
"""
import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET

# environments whose commands are not pytest runs (codegen runs its check
# script, then pytest, whose report counts)
NOT_PYTEST = {"lint"}


def junit_counts(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    counts = dict(tests=0, failures=0, errors=0, skipped=0, time=0.0)
    for suite in suites:
        for key in ("tests", "failures", "errors", "skipped"):
            counts[key] += int(suite.get(key, 0))
        counts["time"] += float(suite.get("time", 0))
    return counts


def junit_properties(path):
    """[(test name, property, value)] recorded with record_property."""
    found = []
    for case in ET.parse(path).getroot().iter("testcase"):
        for prop in case.iter("property"):
            found.append((case.get("name"), prop.get("name"), prop.get("value")))
    return found


def env_returncodes(result_json):
    """{env: worst return code of its setup and test commands} from tox's --result-json."""
    if not os.path.exists(result_json):
        return {}
    with open(result_json) as handle:
        data = json.load(handle)
    codes = {}
    for env, info in data.get("testenvs", {}).items():
        rcs = [int(c.get("retcode", 0)) for phase in ("setup", "test") for c in info.get(phase, [])]
        codes[env] = max(rcs) if rcs else None
    return codes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--envs", required=True, help="comma-separated tox environments")
    parser.add_argument("--workdir", required=True, help="tox's work folder (junit-ENV.xml there)")
    parser.add_argument("--result-json", required=True)
    args = parser.parse_args(argv)

    envs = [e.strip() for e in args.envs.split(",") if e.strip()]
    codes = env_returncodes(args.result_json)
    totals = dict(passed=0, failed=0, skipped=0)
    problems = []
    print("%-10s %-6s %7s %7s %7s %9s" % ("env", "status", "passed", "failed", "skipped", "test time"))
    for env in envs:
        rc = codes.get(env)
        status = "ok" if rc == 0 else ("missing" if rc is None else "FAIL")
        if rc != 0:
            problems.append("%s: %s" % (env, "did not run" if rc is None else "exit code %s" % rc))
        if env in NOT_PYTEST:
            print("%-10s %-6s %7s %7s %7s %9s" % (env, status, "-", "-", "-", "-"))
            continue
        path = os.path.join(args.workdir, "junit-%s.xml" % env)
        if not os.path.exists(path):
            problems.append("%s: no JUnit report (%s)" % (env, path))
            print("%-10s %-6s %7s %7s %7s %9s" % (env, status, "?", "?", "?", "?"))
            continue
        c = junit_counts(path)
        failed = c["failures"] + c["errors"]
        passed = c["tests"] - failed - c["skipped"]
        totals["passed"] += passed
        totals["failed"] += failed
        totals["skipped"] += c["skipped"]
        if passed <= 0:
            problems.append("%s: no test ran (%d collected, %d skipped)" % (env, c["tests"], c["skipped"]))
        print("%-10s %-6s %7d %7d %7d %8.1fs" % (env, status, passed, failed, c["skipped"], c["time"]))
        for test, name, value in junit_properties(path):
            if name.startswith("hypothesis"):
                continue  # hypothesis' own statistics: long and not ours
            print("%-10s   %s = %s (%s)" % ("", name, value, test))
    if totals["passed"] == 0:
        problems.append("no test ran in any environment")
    for problem in problems:
        print("problem: %s" % problem)
    print("tests: %d passed, %d failed, %d skipped" % (totals["passed"], totals["failed"], totals["skipped"]))
    return 1 if problems or totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
