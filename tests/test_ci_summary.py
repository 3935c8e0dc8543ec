# coding: utf-8
"""scripts/summarize-tox.py, which decides whether a CI run passed: it must fail
on a failed environment, a missing one, a pytest run with no test, and a
failed test, and count every pytest environment's tests."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "summarize-tox.py")


def junit(tests, failures=0, skipped=0):
    return ('<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" '
            'tests="%d" failures="%d" errors="0" skipped="%d" time="1.5"></testsuite>'
            '</testsuites>' % (tests, failures, skipped))


def summarize(tmpdir, reports, codes):
    """Run the script over JUnit ``reports`` {env: xml} and return codes {env: rc}."""
    for env, text in reports.items():
        tmpdir.join("junit-%s.xml" % env).write(text)
    result = {"testenvs": dict((env, {"test": [{"retcode": rc}]}) for env, rc in codes.items())}
    tmpdir.join("result.json").write(json.dumps(result))
    process = subprocess.Popen(
        [sys.executable, SCRIPT, "--envs", ",".join(codes), "--workdir", str(tmpdir),
         "--result-json", str(tmpdir.join("result.json"))],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = process.communicate()[0].decode("utf-8")
    return process.returncode, out


def test_a_clean_run_passes_and_counts_the_codegen_tests(tmpdir):
    rc, out = summarize(tmpdir, {"py311": junit(10, skipped=2), "codegen": junit(5)},
                        {"py311": 0, "codegen": 0, "lint": 0})
    assert rc == 0, out
    assert "tests: 13 passed, 0 failed, 2 skipped" in out


def test_a_run_with_no_test_fails(tmpdir):
    rc, out = summarize(tmpdir, {"py311": junit(3, skipped=3)}, {"py311": 0})
    assert rc == 1 and "py311: no test ran" in out, out


def test_a_failed_test_a_failed_env_and_a_missing_report_fail(tmpdir):
    rc, out = summarize(tmpdir, {"py311": junit(4, failures=1)}, {"py311": 0})
    assert rc == 1 and "tests: 3 passed, 1 failed" in out, out
    rc, out = summarize(tmpdir, {"py312": junit(4)}, {"py312": 1})
    assert rc == 1 and "py312: exit code 1" in out, out
    rc, out = summarize(tmpdir, {}, {"py313": 0})
    assert rc == 1 and "py313: no JUnit report" in out, out
