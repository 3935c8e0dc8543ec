# coding: utf-8
"""What mypy sees of the SDK: the stubs (``cloudtower/**/*.pyi``) type-check,
and user code gets real types from them (``List[Vm]`` from ``get_vms``).

The samples in ``tests/typing_samples/`` are checked, never run: on a line,
``# R: T`` is what ``reveal_type`` must show there and ``# E: code`` the error
mypy must report there; an error on any other line fails too.

mypy needs Python 3.9+, so these tests run in the tox ``typecheck``
environment (which sets CLOUDTOWER_REQUIRE_MYPY=1 so that a missing mypy fails
there) and are skipped elsewhere.
"""
import glob
import io
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "typing_samples")
SAMPLE_FILES = sorted(glob.glob(os.path.join(SAMPLES, "*.py")))
_EXPECT = re.compile(r"#\s*([RE]):\s*(.+?)\s*$")
_REPORT = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<severity>error|note): (?P<message>.*?)"
                     r"(?:  \[(?P<code>[a-z0-9-]+)\])?$")
_OPTIONAL = re.compile(r"^Union\[(.+), None\]$")


def _have_mypy():
    if sys.version_info < (3, 9):
        return False
    try:
        import mypy.api  # noqa: F401
    except ImportError:
        return False
    return True


def _require_mypy():
    if _have_mypy():
        return
    if os.environ.get("CLOUDTOWER_REQUIRE_MYPY") == "1":
        pytest.fail("mypy is required here (CLOUDTOWER_REQUIRE_MYPY=1) but cannot be imported "
                    "on Python %s" % sys.version.split()[0])
    pytest.skip("mypy is not installed with this Python; the tox `typecheck` env runs these")


def normalize(type_text):
    """One spelling for what different mypy versions print: `list[...]` and
    `builtins.list[...]`, `X | None` and `Union[X, None]`."""
    text = type_text.strip().strip('"').replace("builtins.", "")
    match = _OPTIONAL.match(text)
    if match:
        text = match.group(1) + " | None"
    return text


def expectations():
    """(sample name, line, kind, text) for every `# R:` / `# E:` comment."""
    found = []
    for path in SAMPLE_FILES:
        with io.open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                match = _EXPECT.search(line)
                if match and not line.lstrip().startswith("#"):
                    found.append((os.path.basename(path), number, match.group(1), match.group(2)))
    return found


def installed_package_dir():
    import cloudtower
    return os.path.dirname(os.path.abspath(cloudtower.__file__))


def _is_checkout(package_dir):
    return os.path.realpath(package_dir) == os.path.realpath(os.path.join(HERE, "..", "cloudtower"))


_BARE_ALL = re.compile(r"^__all__\s*:\s*List\[str\]\s*$", re.M)


def top_level_stub_problem():
    """Why `from cloudtower import VmApi` cannot type-check with the installed
    stubs, for the two known generator bugs; None when neither is there."""
    package = installed_package_dir()
    if not os.path.exists(os.path.join(package, "__init__.pyi")):
        # cloudtower/__init__.py builds its names at run time (lazy imports)
        return "cloudtower/__init__.pyi is missing (codegen should emit it)"
    for sub in ("api", "models"):
        with io.open(os.path.join(package, sub, "__init__.pyi"), encoding="utf-8") as handle:
            if _BARE_ALL.search(handle.read()):
                # a declared-but-empty __all__ makes `from cloudtower.<sub> import *`
                # in cloudtower/__init__.pyi import nothing
                return ("cloudtower/%s/__init__.pyi declares `__all__: List[str]` without a value, "
                        "so the star import in cloudtower/__init__.pyi re-exports nothing "
                        "(codegen: drop that line or list the names)" % sub)
    return None


_TOP_LEVEL_SAMPLE = "top_level_imports.py"


def _maybe_xfail(sample):
    if sample == _TOP_LEVEL_SAMPLE:
        problem = top_level_stub_problem()
        if problem:
            pytest.xfail(problem)


def run_mypy(args, workdir, config_text):
    """Run mypy in ``workdir`` (not the checkout, whose cloudtower/ it would find first)."""
    config = os.path.join(str(workdir), "mypy.ini")
    with io.open(config, "w", encoding="utf-8") as handle:
        handle.write(config_text)
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    package_dir = installed_package_dir()
    if _is_checkout(package_dir):
        # running from a checkout without the package installed: look there
        env["MYPYPATH"] = os.path.dirname(package_dir)
    command = [sys.executable, "-m", "mypy", "--config-file", config,
               "--cache-dir", os.path.join(str(workdir), "cache"),
               "--show-error-codes", "--hide-error-context", "--no-error-summary",
               "--no-color-output", "--show-absolute-path"] + list(args)
    proc = subprocess.Popen(command, cwd=str(workdir), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.communicate()[0].decode("utf-8", "replace")
    return proc.returncode, out


@pytest.fixture(scope="module")
def samples_report(tmpdir_factory):
    """{(sample name, line): [(severity, message, code)]} from one mypy run over the samples."""
    _require_mypy()
    workdir = tmpdir_factory.mktemp("mypy-samples")
    # errors inside the SDK are the package test's business, not the samples'
    config = "[mypy]\nwarn_unused_ignores = True\n\n[mypy-cloudtower.*]\nignore_errors = True\n"
    # checked as copies: in place, mypy would take tests/ (a package) as their base
    # and find the checkout's cloudtower/ beside it
    copies = []
    for path in SAMPLE_FILES:
        copies.append(os.path.join(str(workdir), os.path.basename(path)))
        shutil.copyfile(path, copies[-1])
    status, out = run_mypy(copies, workdir, config)
    report = {}
    for line in out.splitlines():
        match = _REPORT.match(line)
        if not match:
            if line.strip():
                report.setdefault(("(mypy)", 0), []).append(("error", line, None))
            continue
        key = (os.path.basename(match.group("path")), int(match.group("line")))
        report.setdefault(key, []).append(
            (match.group("severity"), match.group("message"), match.group("code")))
    assert status in (0, 1), "mypy crashed (exit %s):\n%s" % (status, out)
    return report


@pytest.mark.parametrize("sample,line,kind,text", expectations(),
                         ids=["%s:%d" % (e[0], e[1]) for e in expectations()])
def test_sample_line(samples_report, sample, line, kind, text):
    _maybe_xfail(sample)
    got = samples_report.get((sample, line), [])
    if kind == "R":
        revealed = [m for sev, m, _ in got if sev == "note" and m.startswith("Revealed type is ")]
        assert revealed, "no reveal_type output on %s:%d; mypy said: %r" % (sample, line, got)
        actual = revealed[0][len("Revealed type is "):]
        assert normalize(actual) == normalize(text), "%s:%d" % (sample, line)
        errors = [(m, c) for sev, m, c in got if sev == "error"]
        assert not errors, "unexpected error on %s:%d: %r" % (sample, line, errors)
    else:
        codes = [c for sev, _, c in got if sev == "error"]
        assert text in codes, "expected a [%s] error on %s:%d, mypy said: %r" % (text, sample, line, got)


@pytest.mark.parametrize("sample", [os.path.basename(p) for p in SAMPLE_FILES])
def test_sample_has_no_other_errors(samples_report, sample):
    _maybe_xfail(sample)
    marked = set((s, n) for s, n, kind, _ in expectations() if s == sample and kind == "E")
    stray = ["%s:%d: %s" % (key[0], key[1], m)
             for key, entries in sorted(samples_report.items())
             if key[0] in (sample, "(mypy)") and key not in marked
             for sev, m, _ in entries if sev == "error"]
    assert not stray, "\n".join(stray)


def test_samples_cover_every_kind_of_user_code():
    """The checks the typing issue asks for are all among the samples."""
    wanted = {
        ("api_calls.py", "R", "builtins.list[cloudtower.models.Vm]"),
        ("api_calls.py", "R", "multiprocessing.pool.ApplyResult[builtins.list[cloudtower.models.Vm]]"),
        ("models.py", "E", "call-arg"),
        ("models.py", "E", "arg-type"),
        (_TOP_LEVEL_SAMPLE, "R", "cloudtower.api.vm_api.VmApi"),
    }
    present = set((s, kind, text) for s, _, kind, text in expectations())
    assert wanted <= present, sorted(wanted - present)
    for sample, _, _, _ in expectations():
        assert os.path.exists(os.path.join(SAMPLES, sample))


def _untyped_modules(package_dir):
    """Dotted names of the hand-written, unannotated modules: .py files with no
    .pyi beside them and no codegen marker."""
    root = os.path.dirname(package_dir)
    names = []
    for dirpath, _, filenames in os.walk(package_dir):
        for filename in filenames:
            path = os.path.join(dirpath, filename)
            if not filename.endswith(".py") or os.path.exists(path + "i"):
                continue
            with io.open(path, encoding="utf-8") as handle:
                if "Generated by codegen" in handle.read(400):
                    continue
            rel = os.path.relpath(os.path.join(dirpath, filename[:-3]), root)
            name = rel.replace(os.sep, ".")
            names.append(name[:-len(".__init__")] if name.endswith(".__init__") else name)
    return sorted(names)


@pytest.mark.slow
def test_package_stubs_have_no_errors(tmpdir):
    """mypy over the whole package: every stub is valid and consistent (names,
    imports, overloads). Errors inside the unannotated hand-written modules are
    ignored: they are untyped code, not type information."""
    _require_mypy()
    package_dir = installed_package_dir()
    untyped = _untyped_modules(package_dir)
    assert "cloudtower.simulator.server" in untyped and "cloudtower.api.vm_api" not in untyped
    config = "[mypy]\n\n[mypy-%s]\nignore_errors = True\n" % ",".join(untyped)
    status, out = run_mypy(["-p", "cloudtower"], tmpdir, config)
    assert status == 0, "mypy found errors in the stubs:\n%s" % out


# the scripts of the "script writer's day" trial: typed, and checked as strictly as mypy can
TRIAL_EXAMPLES = ("inventory_csv.py", "power_off_by_prefix.py", "vms_from_template.py",
                  "failed_disks_and_alerts.py", "snapshot_retention.py")


def test_trial_examples_pass_mypy_strict(tmpdir):
    """examples/<trial>.py type-check under ``mypy --strict`` against the SDK's stubs
    (the examples' shared _common.py is checked as an untyped helper)."""
    _require_mypy()
    examples = os.path.join(HERE, os.pardir, "examples")
    if not os.path.isdir(examples):
        pytest.skip("no examples/ beside the tests (an installed copy of the tests)")
    copies = []
    for name in TRIAL_EXAMPLES + ("_common.py",):
        shutil.copyfile(os.path.join(examples, name), str(tmpdir.join(name)))
        if name in TRIAL_EXAMPLES:
            copies.append(str(tmpdir.join(name)))
    config = ("[mypy]\n\n[mypy-_common]\nignore_errors = True\n\n"
              "[mypy-cloudtower.*]\nignore_errors = True\n")
    status, out = run_mypy(["--strict"] + copies, tmpdir, config)
    assert status == 0, "mypy --strict found errors in the trial examples:\n%s" % out
