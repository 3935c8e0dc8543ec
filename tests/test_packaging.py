# coding: utf-8
"""The distributions: the universal wheel and the sdist build from a checkout,
hold the package and nothing else, stay small, and install where users install
them: offline from a folder of downloaded files (Python 3 and 2.7) and with
``python setup.py install``.

All but the first test build and install things (a minute or two); they are
marked ``packaging`` and run in the tox ``packaging`` environment only.
"""
import glob
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIRE = os.environ.get("CLOUDTOWER_REQUIRE_PACKAGING") == "1"

# The size budgets of the package (bytes, bytecode not counted).
WHEEL_GOAL = 1500 * 1000
INSTALLED_GOAL = 12 * 1000 * 1000

packaging = pytest.mark.packaging


# -- the test run itself -----------------------------------------------------

def test_suite_imports_the_installed_package():
    """Under tox, the tests must exercise the installed copy, not the checkout."""
    import cloudtower
    here = os.path.realpath(os.path.dirname(os.path.abspath(cloudtower.__file__)))
    if "TOX_ENV_NAME" not in os.environ:
        pytest.skip("not under tox: the suite may run against a checkout")
    assert os.environ.get("CLOUDTOWER_INSTALLED_AT") == here, "the pytest_installed plugin did not run"
    assert here != os.path.realpath(os.path.join(ROOT, "cloudtower"))
    assert "site-packages" in here.split(os.sep)


# -- helpers -----------------------------------------------------------------

def run(command, cwd=None, env=None, timeout_note=""):
    """Run a command; fail the test with its output if it fails."""
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = proc.communicate()[0].decode("utf-8", "replace")
    if proc.returncode != 0:
        pytest.fail("command failed (exit %s): %s\n%s" % (proc.returncode, " ".join(command), out))
    return out


def read_version():
    with io.open(os.path.join(ROOT, "cloudtower", "_version.py"), encoding="utf-8") as handle:
        return re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", handle.read(), re.M).group(1)


def runtime_requirements():
    with io.open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as handle:
        lines = [line.split("#", 1)[0].strip() for line in handle]
    return [line for line in lines if line]


def requirement_name(spec):
    return re.match(r"[A-Za-z0-9_.-]+", spec).group(0).lower().replace("_", "-")


def source_files():
    """The checkout's files as a clean clone would have them (tracked and new,
    not ignored): what a build may see. Falls back to a filtered walk."""
    try:
        out = subprocess.check_output(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, stderr=subprocess.STDOUT)
        files = [f for f in out.decode("utf-8").split("\0") if f]
        return [f for f in files if os.path.isfile(os.path.join(ROOT, f))]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".tox", "build", "dist", "__pycache__", ".mypy_cache", ".pytest_cache"}
        found = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames if d not in skip and not d.startswith(".venv")
                           and not d.endswith(".egg-info")]
            for filename in filenames:
                if not filename.endswith((".pyc", ".pyo")):
                    found.append(os.path.relpath(os.path.join(dirpath, filename), ROOT))
        return found


def package_files():
    """Files under cloudtower/ that the wheel must carry."""
    return sorted(f.replace(os.sep, "/") for f in source_files()
                  if f.startswith("cloudtower" + os.sep) and f.endswith((".py", ".pyi", "py.typed")))


def offline_env():
    """An environment in which pip cannot reach any index: no pip configuration
    (this machine's adds a mirror and find-links), no index, and a proxy on a
    closed loopback port so that any network attempt fails at once."""
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith("PIP_") and k not in ("PYTHONPATH", "PYTHONHOME"))
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
               HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9")
    return env


def clean_env():
    return dict((k, v) for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME"))


def download_env():
    """For `pip download`: the package index itself. This machine's pip
    configuration adds a file:// mirror, from which pip 20.3 (Python 2.7)
    cannot download (AssertionError in save_linked_requirement)."""
    env = clean_env()
    env.pop("PIP_FIND_LINKS", None)
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def tree_size(path):
    """(sum of file sizes, disk usage in 4 KiB blocks) of a folder, bytecode excluded."""
    apparent = used = 0
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for filename in filenames:
            if filename.endswith((".pyc", ".pyo")):
                continue
            size = os.path.getsize(os.path.join(dirpath, filename))
            apparent += size
            used += (size + 4095) // 4096 * 4096
    return apparent, used


def venv_python(venv):
    return os.path.join(venv, "bin", "python")


def find_python27():
    """A CPython 2.7 interpreter: $CLOUDTOWER_PY27, pyenv's 2.7.18, or python2.7."""
    candidates = [os.environ.get("CLOUDTOWER_PY27")]
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", "2.7*", "bin", "python2.7")),
                         reverse=True)
    path_python = shutil.which("python2.7") if hasattr(shutil, "which") else None
    candidates.append(path_python)
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def make_venv(python, target):
    """A fresh virtual environment of ``python`` at ``target`` (no network needed)."""
    if python == sys.executable and sys.version_info[0] >= 3:
        run([python, "-m", "venv", target])
    else:
        # Python 2.7 has no venv; virtualenv < 20.22 still creates 2.7 environments
        pytest.importorskip("virtualenv")
        run([sys.executable, "-m", "virtualenv", "-q", "--no-download", "-p", python, target])
    return venv_python(target)


IMPORT_CHECK = r"""
import json, os, sys
import cloudtower
import cloudtower._lazy  # this SDK, not the official one of the same name
from cloudtower import ApiClient, Configuration, VmApi, VmStatus
from cloudtower.api.vm_api import VmApi as VmApi2
from cloudtower.models import GetVmsRequestBody, Vm
from cloudtower.configuration import Configuration as Configuration2
assert VmApi is VmApi2 and Configuration is Configuration2
api = VmApi(ApiClient(Configuration(host="http://127.0.0.1:9/v2/api")))
assert callable(api.get_vms)
body = GetVmsRequestBody(first=1, skip=2)
assert body.to_dict()["first"] == 1 and body.to_dict()["skip"] == 2, body.to_dict()
assert Vm.attribute_map["entity_async_status"] == "entityAsyncStatus"
pkg = os.path.dirname(os.path.abspath(cloudtower.__file__))
files = []
for dirpath, dirnames, filenames in os.walk(pkg):
    dirnames[:] = [d for d in dirnames if d != "__pycache__"]
    for f in filenames:
        if f.endswith((".py", ".pyi")) or f == "py.typed":
            files.append(os.path.relpath(os.path.join(dirpath, f), os.path.dirname(pkg)))
print(json.dumps({"file": cloudtower.__file__, "version": cloudtower.__version__,
                  "files": sorted(f.replace(os.sep, "/") for f in files),
                  "running": VmStatus.RUNNING, "python": sys.version.split()[0]}))
"""


def check_import(python, venv, workdir):
    """Import the installed SDK from outside the checkout; return what it reported."""
    out = run([python, "-c", IMPORT_CHECK], cwd=workdir, env=clean_env())
    report = json.loads(out.strip().splitlines()[-1])
    assert os.path.realpath(report["file"]).startswith(os.path.realpath(venv) + os.sep), report
    assert report["version"] == read_version()
    # every module, stub and the py.typed marker of the checkout, and nothing else
    missing = sorted(set(package_files()) - set(report["files"]))
    extra = sorted(set(report["files"]) - set(package_files()))
    assert not missing and not extra, (missing[:10], extra[:10])
    assert report["running"] == "RUNNING"
    return report


# -- building (once per session) ---------------------------------------------

@pytest.fixture(scope="session")
def dists(tmpdir_factory):
    """Build the sdist from a clean copy of the checkout, then the wheel from the
    sdist (as `python -m build` does): proves the sdist holds what the build needs.
    Returns {"wheel": path, "sdist": path, "tree": the copy}."""
    base = str(tmpdir_factory.mktemp("dists"))
    tree = os.path.join(base, "checkout")
    for rel in source_files():
        dest = os.path.join(tree, rel)
        if not os.path.isdir(os.path.dirname(dest)):
            os.makedirs(os.path.dirname(dest))
        shutil.copy2(os.path.join(ROOT, rel), dest)
    out_dir = os.path.join(base, "dist")
    run([sys.executable, "setup.py", "-q", "sdist", "--formats=gztar", "-d", out_dir],
        cwd=tree, env=clean_env())
    sdists = glob.glob(os.path.join(out_dir, "*.tar.gz"))
    assert len(sdists) == 1, sdists
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", out_dir, sdists[0]], cwd=base, env=clean_env())
    wheels = glob.glob(os.path.join(out_dir, "*.whl"))
    assert len(wheels) == 1, wheels
    return {"wheel": wheels[0], "sdist": sdists[0], "tree": tree}


@pytest.fixture(scope="session")
def wheel_names(dists):
    with zipfile.ZipFile(dists["wheel"]) as archive:
        return archive.namelist()


# -- the wheel ---------------------------------------------------------------

@packaging
def test_wheel_is_universal(dists):
    name = os.path.basename(dists["wheel"])
    assert name == "cloudtower_sdk-%s-py2.py3-none-any.whl" % read_version()
    with zipfile.ZipFile(dists["wheel"]) as archive:
        wheel_file = archive.read("cloudtower_sdk-%s.dist-info/WHEEL" % read_version()).decode("utf-8")
    assert "Root-Is-Purelib: true" in wheel_file
    assert "Tag: py2-none-any" in wheel_file and "Tag: py3-none-any" in wheel_file


@packaging
def test_wheel_holds_the_package_and_nothing_else(wheel_names):
    dist_info = "cloudtower_sdk-%s.dist-info/" % read_version()
    tops = set(n.split("/", 1)[0] + "/" for n in wheel_names)
    assert tops == {"cloudtower/", dist_info}, sorted(tops)
    for folder in ("codegen/", "tests/", "docs/", "benchmarks/", "examples/", "scripts/"):
        assert not any(n.startswith(folder) or ("/" + folder) in n for n in wheel_names), folder
    missing = sorted(set(package_files()) - set(wheel_names))
    if missing:
        folders = sorted(set(os.path.dirname(m) for m in missing))
        no_init = [f for f in folders if not os.path.exists(os.path.join(ROOT, f, "__init__.py"))]
        pytest.fail("%d files of cloudtower/ are not in the wheel, e.g. %s%s" % (
            len(missing), missing[:5],
            "; these folders have no __init__.py, so they are not packages: %s" % no_init
            if no_init else ""))
    assert "cloudtower/py.typed" in wheel_names
    assert any(n.endswith(".pyi") for n in wheel_names), "no type stubs in the wheel"
    assert dist_info + "RECORD" in wheel_names
    assert any(n.startswith(dist_info) and n.endswith("LICENSE") for n in wheel_names)


@packaging
def test_wheel_metadata(dists):
    with zipfile.ZipFile(dists["wheel"]) as archive:
        meta = archive.read("cloudtower_sdk-%s.dist-info/METADATA" % read_version()).decode("utf-8")
    headers = [line.split(": ", 1) for line in meta.split("\n\n", 1)[0].splitlines() if ": " in line]
    get = lambda key: [v for k, v in headers if k == key]  # noqa: E731
    assert get("Name") == ["cloudtower-sdk"]
    assert get("Version") == [read_version()]
    assert get("Requires-Python") == [">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*"]
    requires = get("Requires-Dist")
    # exactly the runtime dependencies of requirements.txt, markers included
    assert sorted(set(requirement_name(r) for r in requires)) == \
        ["certifi", "python-dateutil", "six", "urllib3"], requires
    assert len(requires) == len(runtime_requirements()), (requires, runtime_requirements())
    assert any("urllib3" in r and "<2" in r.replace(" ", "") and "python_version" in r
               for r in requires), requires
    assert "Programming Language :: Python :: 2.7" in get("Classifier")
    assert "Programming Language :: Python :: 3.13" in get("Classifier")


@packaging
def test_wheel_size(dists, record_property):
    size = os.path.getsize(dists["wheel"])
    record_property("wheel_bytes", size)
    assert size <= WHEEL_GOAL, "wheel is %d bytes, goal %d" % (size, WHEEL_GOAL)


@packaging
def test_installed_size(dists, tmpdir, record_property):
    target = str(tmpdir.join("target"))
    run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile",
         "--target", target, dists["wheel"]], env=offline_env())
    apparent, used = tree_size(os.path.join(target, "cloudtower"))
    record_property("installed_bytes", apparent)
    record_property("installed_disk_bytes_4k_blocks", used)
    assert not glob.glob(os.path.join(target, "cloudtower", "**", "*.pyc"))
    assert apparent <= INSTALLED_GOAL, "installed package is %d bytes" % apparent


# -- the sdist ---------------------------------------------------------------

@packaging
def test_sdist_contents(dists):
    with tarfile.open(dists["sdist"]) as archive:
        names = archive.getnames()
    # newer setuptools write the normalized name (cloudtower_sdk-X/)
    tops = set(n.split("/", 1)[0] for n in names)
    assert tops <= {"cloudtower-sdk-%s" % read_version(), "cloudtower_sdk-%s" % read_version()}, tops
    rel = set(n.split("/", 1)[1] for n in names if "/" in n)
    for required in ("setup.py", "setup.cfg", "LICENSE", "README.md", "requirements.txt",
                     "tox.ini", "cloudtower/py.typed", "cloudtower/_version.py",
                     "cloudtower/models/vm.py", "tests/test_packaging.py"):
        assert required in rel, required
    missing = sorted(set(package_files()) - rel)
    assert not missing, missing[:10]
    for folder in ("codegen/", "docs/", "benchmarks/", ".git/", ".tox/"):
        assert not any(r.startswith(folder) for r in rel), folder
    assert not any(r.endswith((".pyc", ".pyo")) for r in rel)


# -- installing --------------------------------------------------------------

def offline_install(python, dists, base, target_version=None):
    """Download the dependencies (online), then install the SDK into a fresh
    environment with --no-index from that folder only. Without
    ``target_version`` the target's own pip downloads; with it (e.g. "2.7"),
    this Python's pip downloads for that version, as the README describes."""
    folder = os.path.join(base, "downloaded")
    os.makedirs(folder)
    # The README's `pip download -d DIR cloudtower-sdk`, with our wheel in place of
    # the index's copy: PyPI's cloudtower-sdk (the official SDK) has the same
    # version numbers, so the dependencies are downloaded by name here.
    shutil.copy(dists["wheel"], folder)
    if target_version is None:
        downloader = [make_venv(python, os.path.join(base, "download-venv")), "-m", "pip"]
        cross = []
    else:
        downloader = [sys.executable, "-m", "pip"]
        cross = ["--python-version", target_version, "--only-binary=:all:"]
    run(downloader + ["download", "-q", "-d", folder] + cross + runtime_requirements(),
        env=download_env())
    names = sorted(os.listdir(folder))
    got = set(n.split("-", 1)[0].lower() for n in names)
    assert {"urllib3", "six", "python_dateutil", "certifi"} <= got, names

    venv = os.path.join(base, "offline-venv")
    target = make_venv(python, venv)
    run([target, "-m", "pip", "install", "-q", "--no-index", "--find-links", folder,
         "cloudtower-sdk"], env=offline_env())
    return check_import(target, venv, base)


@packaging
def test_offline_install_python3(dists, tmpdir):
    report = offline_install(sys.executable, dists, str(tmpdir))
    assert report["python"] == sys.version.split()[0]


@packaging
def test_offline_install_python27(dists, tmpdir):
    python = find_python27()
    if python is None:
        if REQUIRE:
            pytest.fail("no Python 2.7 found (set CLOUDTOWER_PY27) and this environment requires it")
        pytest.skip("no Python 2.7 interpreter here")
    # prepared on this Python for 2.7 (`pip download --python-version 2.7 ...`)
    report = offline_install(python, dists, str(tmpdir), target_version="2.7")
    assert report["python"].startswith("2.7"), report


def setup_py_install(python, dists, base):
    """`python setup.py install` from a source tree into a fresh environment. The
    dependencies are installed first from a downloaded folder, so that setup.py
    (which would fetch them with easy_install) only installs the SDK."""
    venv = os.path.join(base, "venv")
    target = make_venv(python, venv)
    if subprocess.call([target, "-c", "import setuptools"]) != 0:
        # venvs of Python 3.12+ come without setuptools
        run([target, "-m", "pip", "install", "-q", "setuptools"], env=clean_env())
    folder = os.path.join(base, "deps")
    run([target, "-m", "pip", "download", "-q", "-d", folder] + runtime_requirements(),
        env=download_env())
    run([target, "-m", "pip", "install", "-q", "--no-index", "--find-links", folder]
        + runtime_requirements(), env=offline_env())
    tree = os.path.join(base, "checkout")
    shutil.copytree(dists["tree"], tree)
    run([target, "setup.py", "-q", "install"], cwd=tree, env=offline_env())
    return check_import(target, venv, base)


@packaging
def test_setup_py_install_python3(dists, tmpdir):
    setup_py_install(sys.executable, dists, str(tmpdir))


@packaging
def test_setup_py_install_python27(dists, tmpdir):
    python = find_python27()
    if python is None:
        if REQUIRE:
            pytest.fail("no Python 2.7 found (set CLOUDTOWER_PY27) and this environment requires it")
        pytest.skip("no Python 2.7 interpreter here")
    report = setup_py_install(python, dists, str(tmpdir))
    assert report["python"].startswith("2.7"), report


# -- the README's install recipes, as written ---------------------------------

README = os.path.join(ROOT, "README.md")
_RECIPE = re.compile(r"<!-- tested: ([\w-]+) -->\s*```sh\n(.*?)```", re.S)
README_RECIPES = ("wheel", "venv", "virtualenv-py27", "air-gapped", "air-gapped-py27-online",
                  "air-gapped-py27-offline")


def readme_recipes():
    """{name: shell text} of the README's blocks marked ``<!-- tested: name -->``."""
    with io.open(README, encoding="utf-8") as handle:
        return dict(_RECIPE.findall(handle.read()))


def test_the_readme_marks_its_install_recipes_and_names_this_version():
    if not os.path.exists(README):
        pytest.skip("no README.md beside the tests (an installed copy of the tests)")
    recipes = readme_recipes()
    assert sorted(recipes) == sorted(README_RECIPES)
    for name, text in recipes.items():
        for wheel in re.findall(r"cloudtower_sdk-([\w.]+)-py2\.py3-none-any\.whl", text):
            assert wheel == read_version(), "README recipe %s names version %s" % (name, wheel)
        # the index's cloudtower-sdk is the official SDK: the recipes start from the wheel
        assert not re.search(r"pip download\b.*\scloudtower-sdk\s*$", text, re.M), name


@pytest.fixture(scope="module")
def dependency_folders(tmpdir_factory):
    """The runtime dependencies from the package index, once: for this Python and for
    2.7. The recipes run against these folders, never against an index."""
    base = str(tmpdir_factory.mktemp("readme-deps"))
    folders = {"py3": os.path.join(base, "py3"), "py27": os.path.join(base, "py27")}
    run([sys.executable, "-m", "pip", "download", "-q", "-d", folders["py3"]]
        + runtime_requirements(), env=download_env())
    run([sys.executable, "-m", "pip", "download", "-q", "-d", folders["py27"],
         "--python-version", "2.7", "--only-binary=:all:"] + runtime_requirements(),
        env=download_env())
    return folders


def run_recipe(name, workdir, path_dirs, find_links, extra_env=None):
    """Run the README's recipe ``name`` line by line with bash in ``workdir``;
    ``pip`` and the rest come first from ``path_dirs``. pip reaches no index: the
    dependencies come from ``find_links``, except after a ``# offline`` comment,
    where only what the recipe itself names is there."""
    env = offline_env()
    env["PATH"] = os.pathsep.join(list(path_dirs) + [env.get("PATH", "")])
    env.update(VIRTUALENV_NO_DOWNLOAD="1", VIRTUALENV_NO_PERIODIC_UPDATE="1")
    env.update(extra_env or {})
    offline = False
    for line in readme_recipes()[name].splitlines():
        if line.strip().startswith("# offline"):
            offline = True
        if not line.strip() or line.strip().startswith("#"):
            continue
        step_env = dict(env)
        if not offline:
            step_env["PIP_FIND_LINKS"] = find_links
        run(["bash", "-ec", line], cwd=workdir, env=step_env)


def _bin_with(tmpdir, **links):
    """A folder of links named as the recipes call them (python3, python2.7)."""
    folder = str(tmpdir.join("bin"))
    if not os.path.isdir(folder):
        os.makedirs(folder)
    for name, target in links.items():
        os.symlink(target, os.path.join(folder, name.replace("_", ".")))
    return folder


def _readme_workdir(dists, tmpdir):
    if not os.path.exists(README):
        pytest.skip("no README.md beside the tests (an installed copy of the tests)")
    workdir = str(tmpdir.join("work"))
    os.makedirs(workdir)
    shutil.copy(dists["wheel"], workdir)
    return workdir


def _require_python27():
    python = find_python27()
    if python is None:
        if REQUIRE:
            pytest.fail("no Python 2.7 found (set CLOUDTOWER_PY27) and this environment requires it")
        pytest.skip("no Python 2.7 interpreter here")
    return python


@packaging
def test_readme_air_gapped_recipe(dists, tmpdir, dependency_folders):
    workdir = _readme_workdir(dists, tmpdir)
    venv = os.path.join(str(tmpdir), "target")
    python = make_venv(sys.executable, venv)
    run_recipe("air-gapped", workdir, [os.path.dirname(python)], dependency_folders["py3"])
    names = sorted(os.listdir(os.path.join(workdir, "cloudtower-dist")))
    assert os.path.basename(dists["wheel"]) in names
    assert {"urllib3", "six", "python_dateutil", "certifi"} <= \
        set(n.split("-", 1)[0].lower() for n in names), names
    check_import(python, venv, workdir)


@packaging
def test_readme_air_gapped_recipe_for_python27(dists, tmpdir, dependency_folders):
    python27 = _require_python27()
    workdir = _readme_workdir(dists, tmpdir)
    online = make_venv(sys.executable, os.path.join(str(tmpdir), "online"))
    run_recipe("air-gapped-py27-online", workdir, [os.path.dirname(online)],
               dependency_folders["py27"])
    venv = os.path.join(str(tmpdir), "target27")
    target = make_venv(python27, venv)
    run_recipe("air-gapped-py27-offline", workdir, [os.path.dirname(target)],
               dependency_folders["py27"])
    assert check_import(target, venv, workdir)["python"].startswith("2.7")


@packaging
def test_readme_wheel_and_venv_recipes(dists, tmpdir, dependency_folders):
    workdir = _readme_workdir(dists, tmpdir)
    venv = os.path.join(str(tmpdir), "plain")
    python = make_venv(sys.executable, venv)
    run_recipe("wheel", workdir, [os.path.dirname(python)], dependency_folders["py3"])
    check_import(python, venv, workdir)
    links = _bin_with(tmpdir, python3=sys.executable)
    run_recipe("venv", workdir, [links], dependency_folders["py3"])
    check_import(venv_python(os.path.join(workdir, ".venv")), os.path.join(workdir, ".venv"),
                 workdir)


@packaging
def test_readme_virtualenv_recipe_for_python27(dists, tmpdir, dependency_folders):
    python27 = _require_python27()
    pytest.importorskip("virtualenv")
    workdir = _readme_workdir(dists, tmpdir)
    links = _bin_with(tmpdir, python2_7=python27)
    # `virtualenv` is the one installed with this Python (the tox env's)
    run_recipe("virtualenv-py27", workdir, [links, os.path.dirname(sys.executable)],
               dependency_folders["py27"])
    venv = os.path.join(workdir, ".venv27")
    assert check_import(venv_python(venv), venv, workdir)["python"].startswith("2.7")
