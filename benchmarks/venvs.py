# coding: utf-8
"""The two throwaway virtualenvs of a benchmark run: ours (a wheel built from the
checkout or a commit) and the official SDK's, and running commands in them.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import time

from common import OFFICIAL, REPO, WORK


def log(message):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


def child_env(**extra):
    """The environment of every child: bytecode on (the machine sets
    PYTHONDONTWRITEBYTECODE=1, which would leave both SDKs without .pyc files),
    and nothing that could put the source tree before the installed package."""
    env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONHOME", "PIP_NO_COMPILE",
                 "PYTHONSTARTUP", "PYTHONPROFILEIMPORTTIME"):
        env.pop(name, None)
    env.update(extra)
    return env


def run(cmd, **kwargs):
    kwargs.setdefault("env", child_env())
    kwargs.setdefault("cwd", WORK)
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s\n%s" % (" ".join(cmd), result.returncode,
                                                       result.stdout[-3000:], result.stderr[-3000:]))
    return result.stdout


def default_python():
    try:
        root = subprocess.check_output(["pyenv", "root"], universal_newlines=True).strip()
        candidate = os.path.join(root, "versions", "3.11.7", "bin", "python")
        if os.path.exists(candidate):
            return candidate
    except (OSError, subprocess.CalledProcessError):
        pass
    return sys.executable


# -- virtualenvs ---------------------------------------------------------------

class Venv(object):
    def __init__(self, name, base_python):
        self.name = name
        self.path = os.path.join(WORK, "venv-" + name)
        self.python = os.path.join(self.path, "bin", "python")
        self.base_python = base_python

    def create(self):
        shutil.rmtree(self.path, ignore_errors=True)
        run([self.base_python, "-m", "venv", self.path])

    def pip(self, *args):
        return run([self.python, "-m", "pip", "--disable-pip-version-check", "-q"] + list(args))

    def site_packages(self):
        return run([self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()

    def versions(self, names):
        code = ("import importlib.metadata as m, json, sys\n"
                "out = {}\n"
                "for n in sys.argv[1:]:\n"
                "    try: out[n] = m.version(n)\n"
                "    except m.PackageNotFoundError: pass\n"
                "print(json.dumps(out))")
        return json.loads(run([self.python, "-c", code] + list(names)))

    def package_files(self):
        site = self.site_packages()
        paths = [os.path.join(site, "cloudtower")] + glob.glob(os.path.join(site, "cloudtower_sdk-*"))
        size = files = pyc = 0
        for top in paths:
            for folder, _, names in os.walk(top):
                for name in names:
                    size += os.path.getsize(os.path.join(folder, name))
                    files += 1
                    pyc += name.endswith(".pyc")
        return {"bytes": size, "files": files, "pyc": pyc}


def has_packaging(source):
    return any(os.path.exists(os.path.join(source, name)) for name in ("setup.py", "pyproject.toml"))


def export(ref):
    """The tree of git ``ref`` in a folder: figures that belong to one commit."""
    target = os.path.join(WORK, "src")
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    archive = subprocess.Popen(["git", "-C", REPO, "archive", ref], stdout=subprocess.PIPE)
    subprocess.check_call(["tar", "-x", "-C", target], stdin=archive.stdout)
    if archive.wait() != 0:
        raise RuntimeError("git archive %s failed" % ref)
    return target


def setup_ours(base_python, ref=None):
    venv = Venv("ours", base_python)
    source = export(ref) if ref else REPO
    log("creating %s (this repository%s, installed from a wheel built from it)"
        % (venv.path, " at " + ref if ref else ", the work tree as it is"))
    venv.create()
    dist = os.path.join(WORK, "dist-ours")
    shutil.rmtree(dist, ignore_errors=True)
    if has_packaging(source):
        venv.pip("wheel", "--no-deps", "-w", dist, source)
        wheels = glob.glob(os.path.join(dist, "*.whl"))
        if len(wheels) != 1:
            raise RuntimeError("expected one wheel in %s, found %s" % (dist, wheels))
        venv.pip("install", wheels[0])
        wheel = wheels[0]
        how = "wheel built from " + ("git " + ref if ref else "the work tree")
    else:
        # Until the repository has its packaging, install the package the way a
        # wheel would lay it out: a plain copy, byte-compiled, and the
        # dependencies the runtime needs. There is no wheel to weigh.
        site = venv.site_packages()
        shutil.copytree(os.path.join(source, "cloudtower"), os.path.join(site, "cloudtower"),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        run([venv.python, "-m", "compileall", "-q", os.path.join(site, "cloudtower")])
        venv.pip("install", "urllib3", "six", "python-dateutil", "certifi")
        wheel = None
        how = "COPIED (no setup.py/pyproject.toml in the repository yet; no wheel)"
    return venv, wheel, how


def setup_official(base_python, constraints, fresh):
    venv = Venv("official", base_python)
    dist = os.path.join(WORK, "dist-official")
    stamp = os.path.join(venv.path, "bench-stamp.json")
    want = {"python": base_python, "package": OFFICIAL, "constraints": constraints}
    if not fresh and os.path.exists(stamp):
        with open(stamp) as handle:
            if json.load(handle) == want and glob.glob(os.path.join(dist, "*.whl")):
                log("reusing %s (--fresh rebuilds it)" % venv.path)
                return venv, glob.glob(os.path.join(dist, "*.whl"))[0]
    log("creating %s (%s from the package index)" % (venv.path, OFFICIAL))
    venv.create()
    shutil.rmtree(dist, ignore_errors=True)
    venv.pip("download", "--no-deps", "-d", dist, OFFICIAL)
    wheel = glob.glob(os.path.join(dist, "*.whl"))[0]
    pins = os.path.join(WORK, "constraints.txt")
    with open(pins, "w") as handle:
        handle.write("".join("%s==%s\n" % pair for pair in sorted(constraints.items())))
    try:
        # the same urllib3/six/dateutil as ours, so only the SDKs differ
        venv.pip("install", "-c", pins, wheel)
    except RuntimeError as error:
        log("the official SDK refuses our dependency versions; installing its own (%s)"
            % str(error).splitlines()[0])
        venv.pip("install", wheel)
    with open(stamp, "w") as handle:
        json.dump(want, handle)
    return venv, wheel

def git(*args):
    try:
        return run(["git", "-C", REPO] + list(args)).strip()
    except (OSError, RuntimeError):
        return ""
