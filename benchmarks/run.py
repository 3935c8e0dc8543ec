#!/usr/bin/env python3
"""This SDK against the official cloudtower-sdk 2.20.0, side by side, in one run.

    python3 benchmarks/run.py [--quick] [--update-docs]

Builds two throwaway virtualenvs under benchmarks/.work/ with the same
interpreter (CPython 3.11 by default): one with this repository installed as a
user would install it (a wheel built from the checkout, not editable), one with
the official ``cloudtower-sdk==2.20.0`` from the package index (never a
dependency of this project). Each measurement runs in separate processes
against loopback servers started here, and the table gives this SDK, the
official one, how many times better ours is, and the floor: raw urllib3 +
``json.loads`` for the same request, or a bare interpreter for the import.
See docs/benchmarks.md for the latest figures.
"""
import argparse
import datetime
import glob
import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.path.join(HERE, ".work")
WORKER = os.path.join(HERE, "worker.py")
COMPAT = os.path.join(HERE, "official_compat.py")
DOCS = os.path.join(REPO, "docs", "benchmarks.md")
OFFICIAL = "cloudtower-sdk==2.20.0"
IMPORTS = "import cloudtower; from cloudtower import ApiClient, Configuration, VmApi, VmStatus"
SEED = 6
VM_COUNT = 2000
# the simulator's estate that paginate reads (--size large)
PAGINATE_VMS = 10000
PAGE_SIZE = 100

sys.path.insert(0, HERE)
from servers import CountingProxy, FixedServer  # noqa: E402


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


# -- helpers -------------------------------------------------------------------

def worker(venv, measurement, client, *args, timeout=900):
    out = run([venv.python, WORKER, measurement, client] + [str(a) for a in args], timeout=timeout)
    result = json.loads(out.strip().splitlines()[-1])
    module = result.get("module", "")
    if client != "floor" and not module.startswith(venv.path):
        raise RuntimeError("%s imported cloudtower from %s, not from its venv" % (client, module))
    return result


def median(values):
    return statistics.median(values) if values else None


def git(*args):
    try:
        return run(["git", "-C", REPO] + list(args)).strip()
    except (OSError, RuntimeError):
        return ""


def machine_info(base_python, ours, official, ref):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    version = run([base_python, "-c", "import sys; print(sys.version.split()[0])"]).strip()
    deps = ("urllib3", "six", "python-dateutil", "certifi", "cloudtower-sdk")
    return {
        "cpu": cpu, "cores": os.cpu_count(), "python": "CPython %s" % version,
        "platform": platform.platform(), "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "load": os.getloadavg()[0], "ours": ours.versions(deps), "official": official.versions(deps),
        "commit": git("rev-parse", "--short", ref or "HEAD") or "(not a git checkout)",
        "dirty": not ref and bool(git("status", "--porcelain", "--", "cloudtower", "setup.py",
                                      "setup.cfg")),
    }


# -- 1: import -----------------------------------------------------------------

# VmHWM, not ru_maxrss: Linux carries the forking parent's RSS into ru_maxrss
IMPORT_PROBE = ("import time\n"
                "t = time.perf_counter()\n"
                "%s\n"
                "t = time.perf_counter() - t\n"
                "status = open('/proc/self/status').read()\n"
                "print(t, int(status.split('VmHWM:')[1].split()[0]) / 1024.0)")


def measure_import(venvs, rounds):
    clients = [("ours", venvs["ours"], IMPORTS), ("official", venvs["official"], IMPORTS),
               ("floor", venvs["ours"], "pass")]
    samples = {name: {"wall": [], "cpu": [], "inside": [], "rss": []} for name, _, _ in clients}
    for index in range(rounds + 1):
        for name, venv, code in clients:
            started = time.perf_counter()
            child = subprocess.Popen([venv.python, "-c", IMPORT_PROBE % code], cwd=WORK,
                                     env=child_env(), stdout=subprocess.PIPE,
                                     universal_newlines=True)
            out = child.stdout.read()
            # wait4: the child's own CPU time, steadier than wall time on a shared machine
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            child.returncode = 0 if status == 0 else 1
            if status != 0:
                raise RuntimeError("the import probe failed in %s" % venv.path)
            if index == 0:
                continue  # warms the page cache; not counted
            inside, rss = map(float, out.split())
            samples[name]["wall"].append(wall)
            samples[name]["cpu"].append(usage.ru_utime + usage.ru_stime)
            samples[name]["inside"].append(inside)
            samples[name]["rss"].append(rss)
    return {name: {key: median(values) for key, values in data.items()}
            for name, data in samples.items()}


# -- 3, 5, 6: a loopback server with canned answers ----------------------------

def make_vms(ours_python):
    """2,000 fully populated VMs from the project's Faker, generated once."""
    path = os.path.join(WORK, "vms.json")
    code = ("import json, sys\n"
            "from cloudtower.simulator.fake import Faker\n"
            "faker = Faker(%d)\n"
            "vms = [faker.model('Vm', full=True) for _ in range(%d)]\n"
            "with open(sys.argv[1], 'w') as handle:\n"
            "    json.dump(vms, handle, separators=(',', ':'))\n" % (SEED, VM_COUNT))
    # the generator is read from the checkout: it only makes data, nothing is timed
    run([ours_python, "-c", code, path], env=child_env(PYTHONPATH=REPO), cwd=REPO)
    with open(path, "rb") as handle:
        body = handle.read()
    vms = json.loads(body)
    small = json.dumps(vms[:1], separators=(",", ":")).encode("utf-8")
    return body, small, vms[0]["id"]


def canned(big, small):
    def answer(method, path, body):
        if method != "POST" or path != "/v2/api/get-vms":
            return 404, b'{"message":"not found","status":404}'
        request = json.loads(body or b"{}")
        return 200, small if request.get("first") == 1 else big
    return answer


def measure_big(venvs, url, first_id, rounds, official_rounds):
    samples = {"ours": [], "official": [], "floor": []}
    for index in range(rounds):
        for name in ("ours", "official", "floor"):
            if name == "official" and index >= official_rounds:
                continue
            venv = venvs["official" if name == "official" else "ours"]
            samples[name].append(worker(venv, "big", name, "--url", url, "--first-id", first_id,
                                        "--count", VM_COUNT, "--repeats", 1))
            log("  3: %s round %d: first call %.3f s" % (name, index + 1, samples[name][-1]["first"]))
    result = {}
    for name, runs in samples.items():
        result[name] = {
            "first": median([r["first"] for r in runs]),
            "repeat": median([t for r in runs for t in r["repeats"]]),
            "peak_rss": median([r["peak_rss_mb"] for r in runs]),
            "growth": median([r["peak_rss_mb"] - r["rss_before_mb"] for r in runs]),
            "check": runs[0]["check"],
        }
    return result


# -- 7: wait_tasks on the simulator --------------------------------------------

class Simulator(object):
    """``python -m cloudtower.simulator`` from our venv, in its own process."""

    def __init__(self, venv, task_seconds=None, size=None):
        self.username, self.password = "root", "bench-Passw0rd"
        cmd = [venv.python, "-m", "cloudtower.simulator", "--port", "0", "--seed", str(SEED),
               "--username", self.username, "--password", self.password]
        if task_seconds is not None:
            cmd += ["--task-seconds", str(task_seconds)]
        if size is not None:
            cmd += ["--size", str(size)]
        self.output = []
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        universal_newlines=True, cwd=WORK,
                                        env=child_env(PYTHONUNBUFFERED="1"))
        found = threading.Event()
        self.endpoint = None

        def read():
            for line in self.process.stdout:
                self.output.append(line)
                match = re.search(r"(http://127\.0\.0\.1:\d+/v2/api)", line)
                if match and self.endpoint is None:
                    self.endpoint = match.group(1)
                    found.set()
        threading.Thread(target=read, daemon=True).start()
        found.wait(90)
        if self.endpoint is None:
            self.close()
            raise RuntimeError("the simulator printed no endpoint:\n" + "".join(self.output[-30:]))
        self.port = int(re.search(r":(\d+)/", self.endpoint).group(1))
        self.token = None

    def call(self, path, body, token=True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = self.token
        connection.request("POST", "/v2/api" + path, body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        if response.status != 200:
            raise RuntimeError("%s answered %d: %s" % (path, response.status, data[:500]))
        return json.loads(data)

    def login(self):
        answer = self.call("/login", {"username": self.username, "password": self.password,
                                      "source": "LOCAL"}, token=False)
        self.token = answer["data"]["token"]

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def parse_time(text):
    """CloudTower's ISO-8601 UTC timestamps, to seconds since the epoch."""
    text = text.rstrip("Z")
    fraction = 0.0
    if "." in text:
        text, digits = text.split(".", 1)
        fraction = float("0." + digits)
    stamp = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")
    return stamp.replace(tzinfo=datetime.timezone.utc).timestamp() + fraction


def available(venv, code):
    """Whether ``code`` runs in ``venv`` (teammates' modules land while this is written)."""
    try:
        run([venv.python, "-c", code])
        return True
    except RuntimeError:
        return False


def measure_wait(venvs, rounds, tasks=50, spacing=0.06, task_seconds=4.0,
                 phases=(0.0, 0.5, 1.0)):
    """50 tasks created ``spacing`` s apart, each lasting ``task_seconds``, so
    they end one by one over 2.94 s. The client has logged in (through a
    counting proxy) and waits for the ids; it gets them ``phase`` s after the
    last creation, so the tasks end 1.06-4.0 s into the wait, then 0.56-3.5 s,
    then 0.06-3.0 s (where a poll falls relative to the last end decides the
    delay, so the rounds vary it). It calls wait_tasks with the helper's
    defaults, as the guide does; the proxy counts what it sends until it returns."""
    simulator = Simulator(venvs["ours"], task_seconds=task_seconds)
    samples = {"ours": [], "official": []}
    try:
        simulator.login()
        with CountingProxy(("127.0.0.1", simulator.port)) as proxy:
            url = "http://127.0.0.1:%d/v2/api" % proxy.port
            for index in range(rounds):
                for name in ("ours", "official"):
                    venv = venvs[name]
                    child = subprocess.Popen(
                        [venv.python, WORKER, "wait", name, "--url", url,
                         "--username", simulator.username, "--password", simulator.password],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        universal_newlines=True, cwd=WORK, env=child_env())
                    line = child.stdout.readline()
                    if line.strip() != "READY":
                        raise RuntimeError("the %s waiter did not start: %s%s"
                                           % (name, line, child.stderr.read()[-2000:]))
                    ids = []
                    start = time.time()
                    for number in range(tasks):
                        delay = start + number * spacing - time.time()
                        if delay > 0:
                            time.sleep(delay)
                        created = simulator.call("/create-label", [
                            {"key": "bench-%d-%s-%d" % (index, name, number), "value": "v"}])
                        ids.append(created[0]["task_id"])
                    time.sleep(phases[index % len(phases)])
                    proxy.take()  # the login: not part of waiting
                    out, err = child.communicate(json.dumps(ids) + "\n", timeout=600)
                    sent = proxy.take()
                    if child.returncode != 0:
                        raise RuntimeError("the %s waiter failed:\n%s" % (name, err[-3000:]))
                    result = json.loads(out.strip().splitlines()[-1])
                    rows = simulator.call("/get-tasks", {"where": {"id_in": ids}})
                    statuses = sorted(set(row["status"] for row in rows))
                    ends = [parse_time(row["finished_at"]) for row in rows if row.get("finished_at")]
                    if len(rows) != tasks or statuses != ["SUCCESSED"] or len(ends) != tasks:
                        raise RuntimeError("tasks did not all succeed: %d rows, %s"
                                           % (len(rows), statuses))
                    sample = {
                        "after_last_end": result["returned"] - max(ends),
                        "span": max(ends) - min(ends),
                        "waited": result["returned"] - result["started"],
                        "last_end_into_wait": max(ends) - result["started"],
                        "requests": len(sent),
                        "paths": sorted(set(path for _, _, path in sent)),
                        "error": result["error"],
                    }
                    samples[name].append(sample)
                    log("  7: %s round %d: tasks ended %.2f-%.2f s into the wait; returned %.2f s "
                        "after the last end, %d requests"
                        % (name, index + 1, min(ends) - result["started"],
                           sample["last_end_into_wait"], sample["after_last_end"],
                           sample["requests"]))
    finally:
        simulator.close()
    return {name: {"after_last_end": median([s["after_last_end"] for s in runs]),
                   "rounds": [round(s["after_last_end"], 2) for s in runs],
                   "round_requests": [s["requests"] for s in runs],
                   "requests": median([s["requests"] for s in runs]),
                   "span": median([s["span"] for s in runs]),
                   "errors": [s["error"] for s in runs if s["error"]],
                   "paths": sorted(set(p for s in runs for p in s["paths"]))}
            for name, runs in samples.items()}


def measure_paginate(venvs, rounds, official_rounds):
    """Every VM of a 10,000-VM simulator (``--size large``), read a page of 100 at a time
    by a process that has logged in: ours with ``paginate``, the official SDK and the floor
    by hand with ``first`` + ``after``. The SDKs take turns; median of the rounds."""
    simulator = Simulator(venvs["ours"], size=PAGINATE_VMS)
    samples = {"ours": [], "official": [], "floor": []}
    try:
        for index in range(rounds):
            for name in ("ours", "official", "floor"):
                if name == "official" and index >= official_rounds:
                    continue
                venv = venvs["official" if name == "official" else "ours"]
                out = worker(venv, "paginate", name, "--url", simulator.endpoint,
                             "--username", simulator.username, "--password", simulator.password,
                             "--page-size", PAGE_SIZE)
                if (out["rows"], out["distinct"], out["in_order"]) != (PAGINATE_VMS, PAGINATE_VMS,
                                                                      True):
                    raise RuntimeError("%s read %d VMs (%d distinct, in order: %s), not %d"
                                       % (name, out["rows"], out["distinct"], out["in_order"],
                                          PAGINATE_VMS))
                samples[name].append(out["seconds"])
                log("  paginate: %s round %d: %.2f s, %d pages"
                    % (name, index + 1, out["seconds"], out["pages"]))
    finally:
        simulator.close()
    return dict((name, median(values)) for name, values in samples.items())


def official_compat(venvs):
    """The official SDK's own script, run against our simulator."""
    simulator = Simulator(venvs["ours"])
    try:
        result = subprocess.run(
            [venvs["official"].python, COMPAT, "--endpoint", simulator.endpoint,
             "--username", simulator.username, "--password", simulator.password],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
            cwd=WORK, env=child_env(), timeout=600)
    finally:
        simulator.close()
    return {"passed": result.returncode == 0, "output": result.stdout}


# -- the table -----------------------------------------------------------------

def fmt(value, digits=1):
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return "{:,}".format(value)
    return "{:,.{}f}".format(value, digits)


def ratio(ours, official, higher_is_better=False):
    if ours in (None, 0) or official in (None, 0):
        return "n/a"
    value = ours / official if higher_is_better else official / ours
    return "%.1f×" % value


def build_rows(r):
    rows = []

    def add(label, ours, official, floor=None, digits=1, higher=False, compare=True):
        rows.append((label, fmt(ours, digits), fmt(official, digits),
                     ratio(ours, official, higher) if compare else "", fmt(floor, digits)))

    imp = r.get("import")
    if imp:
        o, f, b = imp["ours"], imp["official"], imp["floor"]
        add("import: whole process, wall (ms)", o["wall"] * 1e3, f["wall"] * 1e3, b["wall"] * 1e3)
        add("import: whole process, CPU time (ms)", o["cpu"] * 1e3, f["cpu"] * 1e3, b["cpu"] * 1e3)
        add("import: the import lines alone (ms)", o["inside"] * 1e3, f["inside"] * 1e3, 0.0)
        add("import: peak RSS of the process (MB)", o["rss"], f["rss"], b["rss"])
    size = r.get("size")
    if size:
        o, f = size["ours"], size["official"]
        add("installed size, with .pyc (MB)", o["bytes"] / 1e6, f["bytes"] / 1e6)
        add("installed files (of them .pyc)", "%s (%s)" % (fmt(o["files"]), fmt(o["pyc"])),
            "%s (%s)" % (fmt(f["files"]), fmt(f["pyc"])), compare=False)
        add("wheel size (MB)", o["wheel"] / 1e6 if o["wheel"] else None, f["wheel"] / 1e6, digits=2)
    big = r.get("big")
    if big:
        o, f, b = big["ours"], big["official"], big["floor"]
        label = "3 get_vms, %s VMs (%.1f MB JSON)" % (fmt(VM_COUNT), r["vms_bytes"] / 1e6)
        add(label + ": first call, fresh process (s)", o["first"], f["first"], b["first"], 3)
        add(label + ": a call in a warm process (s)", o["repeat"], f["repeat"], b["repeat"], 3)
        add(label + ": peak RSS (MB)", o["peak_rss"], f["peak_rss"], b["peak_rss"])
        add(label + ": RSS growth in the call (MB)", o["growth"], f["growth"], b["growth"])
    ser = r.get("serialize")
    if ser:
        o, f, b = ser["ours"], ser["official"], ser["floor"]
        add("create_vm, 100 VMs: build the models (ms)", o["build"] * 1e3, f["build"] * 1e3,
            b["build"] * 1e3, 2)
        add("create_vm, 100 VMs: serialize to JSON (ms)", o["serialize"] * 1e3,
            f["serialize"] * 1e3, b["serialize"] * 1e3, 2)
    small = r.get("small")
    if small:
        o, f, b = small["ours"], small["official"], small["floor"]
        add("1,000 × get_vms({first: 1}): per call (ms)", o * 1e3, f * 1e3, b * 1e3, 3)
        add("per-call overhead over the floor (ms)", (o - b) * 1e3, (f - b) * 1e3, 0.0, 3)
    asy = r.get("async")
    if asy:
        o, f, b = asy["ours"], asy["official"], asy["floor"]
        add("1,000 async_req calls, pool_threads=8 (calls/s)", 1000 / o, 1000 / f, 1000 / b,
            0, higher=True)
    wait = r.get("wait")
    if isinstance(wait, dict):
        o, f = wait["ours"], wait["official"]
        add("wait_tasks, 50 tasks: return after the last end (s)",
            o["after_last_end"], f["after_last_end"], digits=2)
        add("wait_tasks: HTTP requests while waiting", o["requests"], f["requests"], digits=0)
    elif wait:
        rows.append(("wait_tasks on the simulator", "not run", "not run", "", ""))
    pages = r.get("paginate")
    if pages:
        add("paginate 10,000 VMs of the simulator, pages of 100 (s)", pages["ours"],
            pages["official"], pages["floor"], 2)
    compat = r.get("compat")
    if compat is not None:
        text = "not run" if isinstance(compat, str) else ("PASS" if compat["passed"] else "FAIL")
        rows.append(("compatibility: official SDK script on our simulator", "", text, "", ""))
    return rows


HEADER = ("measurement", "this SDK", "official 2.20.0", "ours better by", "floor")


def text_table(rows):
    widths = [max(len(str(row[i])) for row in rows + [HEADER]) for i in range(len(HEADER))]
    lines = []
    for row in [HEADER] + rows:
        cells = [str(row[0]).ljust(widths[0])] + [str(c).rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells))
        if row is HEADER:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows):
    lines = ["| " + " | ".join(HEADER) + " |", "|---|" + "---:|" * (len(HEADER) - 1)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def targets(r):
    """Each target of the project, judged on this run: (text, met or None if not measured, detail)."""
    out = []
    imp = r.get("import")
    if imp:
        o, f = imp["ours"], imp["official"]
        out.append(("import: at most 1/15 of the official SDK's time (whole process)",
                    o["wall"] * 15 <= f["wall"], "%.0f ms vs %.0f ms: 1/%.1f"
                    % (o["wall"] * 1e3, f["wall"] * 1e3, f["wall"] / o["wall"])))
        out.append(("import: at most 1/4 of the official SDK's peak RSS",
                    o["rss"] * 4 <= f["rss"], "%.1f MB vs %.1f MB: 1/%.1f"
                    % (o["rss"], f["rss"], f["rss"] / o["rss"])))
        out.append(("budget: import at most 100 ms and 30 MB peak RSS (whole process)",
                    o["wall"] <= 0.1 and o["rss"] <= 30, "%.0f ms, %.1f MB" % (o["wall"] * 1e3, o["rss"])))
    big = r.get("big")
    if big:
        for key, when in (("repeat", "a call in a warm process"), ("first", "first call in a fresh process")):
            o, f, b = big["ours"][key], big["official"][key], big["floor"][key]
            out.append(("get_vms: at least 15× faster than the official SDK (%s)" % when,
                        f >= 15 * o, "%.3f s vs %.3f s: %.1f×" % (o, f, f / o)))
            out.append(("get_vms: within 4× the urllib3 + json.loads floor (%s)" % when,
                        o <= 4 * b, "%.3f s vs %.3f s: %.1f×" % (o, b, o / b)))
        o = big["ours"]["first"]
        out.append(("budget: get_vms of 2,000 VMs at most 0.4 s end to end (first call)",
                    o <= 0.4, "%.3f s" % o))
    small = r.get("small")
    if small:
        over = (small["ours"] - small["floor"]) * 1e3
        out.append(("per-call overhead: over the floor at most 1 ms", over <= 1.0, "%.3f ms" % over))
    wait = r.get("wait")
    if isinstance(wait, dict):
        o, f = wait["ours"], wait["official"]
        out.append(("wait_tasks: returns within 0.5 s of the last task's end",
                    o["after_last_end"] <= 0.5 and not o["errors"],
                    "median %.2f s, rounds %s s; official %.2f s, rounds %s s"
                    % (o["after_last_end"], o["rounds"], f["after_last_end"], f["rounds"])))
        out.append(("wait_tasks: fewer requests than the official helper", o["requests"] < f["requests"],
                    "%d vs %d; rounds %s vs %s" % (o["requests"], f["requests"],
                                                   o["round_requests"], f["round_requests"])))
        for name in ("ours", "official"):
            if wait[name]["errors"]:
                out.append(("wait_tasks: %s raised nothing" % name, False,
                            "; ".join(wait[name]["errors"])[:300]))
    else:
        out.append(("wait_tasks: targets", None, wait or "not measured"))
    compat = r.get("compat")
    if isinstance(compat, dict):
        lines = compat["output"].strip().splitlines()
        out.append(("compatibility: an official SDK 2.20.0 script works against the simulator",
                    compat["passed"], "benchmarks/official_compat.py: %s" % (lines[-1] if lines else "no output")))
    else:
        out.append(("compatibility: an official SDK 2.20.0 script works against the simulator",
                    None, compat or "not run"))
    return out


def report(r, command):
    m = r["machine"]
    rows = build_rows(r)
    lines = [
        "Machine: %s, %d cores (shared), %s, %s; load average %.2f at the start, %.2f at the end"
        % (m["cpu"], m["cores"], m["python"], m["platform"], m["load"], r["load_end"]),
        "Run: %s, commit %s%s; ours installed as: %s"
        % (m["date"], m["commit"], " plus uncommitted changes" if m["dirty"] else "",
           r["ours_how"]),
        "Dependencies: ours %s; official %s" % (
            ", ".join("%s %s" % kv for kv in sorted(m["ours"].items())),
            ", ".join("%s %s" % kv for kv in sorted(m["official"].items()))),
        "Command: %s" % command,
    ]
    checks = targets(r)
    verdict = {True: "met", False: "NOT MET", None: "not measured"}
    return rows, lines, checks, verdict


def print_report(r, command):
    rows, lines, checks, verdict = report(r, command)
    print()
    print("\n".join(lines))
    print()
    print(text_table(rows))
    print()
    print("Targets:")
    for text, met, detail in checks:
        print("  [%s] %s — %s" % (verdict[met], text, detail))
    compat = r.get("compat")
    if isinstance(compat, dict) and not compat["passed"]:
        print("\nofficial_compat.py output:\n" + compat["output"][-4000:])


def update_docs(r, command):
    rows, lines, checks, verdict = report(r, command)
    block = ["<!-- results:begin (written by benchmarks/run.py --update-docs) -->", ""]
    block += ["- " + line.replace("Command: ", "Command: `") + ("`" if line.startswith("Command") else "")
              for line in lines]
    block += ["", markdown_table(rows), "", "Targets, judged on this run:", ""]
    block += ["- **%s** — %s: %s" % (verdict[met], text, detail) for text, met, detail in checks]
    block += ["", "<!-- results:end -->"]
    with open(DOCS) as handle:
        text = handle.read()
    begin = text.index("<!-- results:begin")
    end = text.index("<!-- results:end -->") + len("<!-- results:end -->")
    with open(DOCS, "w") as handle:
        handle.write(text[:begin] + "\n".join(block) + text[end:])
    log("updated %s" % DOCS)


# -- main ----------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=default_python(),
                        help="interpreter (3.8+) for both virtualenvs (default: pyenv's 3.11.7, "
                             "else the one running this)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (less stable)")
    parser.add_argument("--fresh", action="store_true", help="also rebuild the official SDK's venv")
    parser.add_argument("--ref", help="measure this git commit (e.g. HEAD) instead of the work tree")
    parser.add_argument("--only", help="comma-separated subset: import,size,big,serialize,small,"
                                       "async,wait,paginate,compat")
    parser.add_argument("--update-docs", action="store_true",
                        help="write the results into docs/benchmarks.md")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    wanted = lambda name: only is None or name in only  # noqa: E731
    command = "python3 benchmarks/run.py" + (" --quick" if args.quick else "") + \
        (" --ref " + args.ref if args.ref else "") + (" --only " + args.only if args.only else "")
    reps = {"import": 7, "big": 5, "big_official": 3, "serialize": 10, "small": 5,
            "small_official": 3, "async": 3, "wait": 3, "paginate": 3, "paginate_official": 2}
    if args.quick:
        reps = {"import": 3, "big": 2, "big_official": 1, "serialize": 3, "small": 2,
                "small_official": 1, "async": 1, "wait": 1, "paginate": 1, "paginate_official": 1}

    os.makedirs(WORK, exist_ok=True)
    started = time.time()
    ours, our_wheel, how = setup_ours(args.python, args.ref)
    official, official_wheel = setup_official(
        args.python, ours.versions(("urllib3", "six", "python-dateutil")), args.fresh)
    venvs = {"ours": ours, "official": official}
    r = {"machine": machine_info(args.python, ours, official, args.ref), "ours_how": how}
    log("machine: %(cpu)s, %(python)s, load %(load).2f" % r["machine"])

    if wanted("import"):
        log("cold import, %d rounds" % reps["import"])
        r["import"] = measure_import(venvs, reps["import"])
    if wanted("size"):
        r["size"] = {"ours": dict(ours.package_files(), wheel=our_wheel and os.path.getsize(our_wheel)),
                     "official": dict(official.package_files(), wheel=os.path.getsize(official_wheel))}
    if wanted("big") or wanted("small") or wanted("async"):
        big, small, first_id = make_vms(ours.python)
        r["vms_bytes"] = len(big)
        with FixedServer(canned(big, small)) as server:
            if wanted("big"):
                log("get_vms: of %d VMs (%.1f MB)" % (VM_COUNT, len(big) / 1e6))
                r["big"] = measure_big(venvs, server.url, first_id, reps["big"], reps["big_official"])
            if wanted("small"):
                log("1,000 sequential small calls")
                r["small"] = {}
                for name in ("ours", "official", "floor"):
                    venv = venvs["official" if name == "official" else "ours"]
                    batches = reps["small_official" if name == "official" else "small"]
                    out = worker(venv, "small", name, "--url", server.url, "--first-id", first_id,
                                 "--calls", 1000, "--batches", batches, "--warmup", 50)
                    r["small"][name] = median(out["batches"]) / 1000
            if wanted("async"):
                log("1,000 async calls over 8 threads")
                r["async"] = {}
                for name in ("ours", "official", "floor"):
                    venv = venvs["official" if name == "official" else "ours"]
                    out = worker(venv, "async", name, "--url", server.url, "--first-id", first_id,
                                 "--calls", 1000, "--batches", reps["async"], "--threads", 8)
                    r["async"][name] = median(out["batches"])
    if wanted("serialize"):
        log("serializing create_vm with 100 VMs")
        r["serialize"] = {}
        for name in ("ours", "official", "floor"):
            venv = venvs["official" if name == "official" else "ours"]
            out = worker(venv, "serialize", name, "--count", 100, "--repeats", reps["serialize"])
            r["serialize"][name] = {"build": median(out["build"]),
                                    "serialize": median(out["serialize"])}
    simulator = available(ours, "from cloudtower.simulator import Simulator")
    helper = available(ours, "from cloudtower.utils import wait_tasks")
    if wanted("wait"):
        if simulator and helper:
            log("wait_tasks on 50 staggered tasks, %d rounds" % reps["wait"])
            r["wait"] = measure_wait(venvs, reps["wait"])
        else:
            r["wait"] = "not available yet (cloudtower.simulator.Simulator / cloudtower.utils.wait_tasks)"
    if wanted("paginate"):
        if simulator and available(ours, "from cloudtower.simulator import scale"):
            log("paginate over %d VMs of the simulator, %d rounds" % (PAGINATE_VMS, reps["paginate"]))
            r["paginate"] = measure_paginate(venvs, reps["paginate"], reps["paginate_official"])
        else:
            r["paginate"] = None
    if wanted("compat"):
        if simulator:
            log("compatibility: the official SDK's script against the simulator")
            r["compat"] = official_compat(venvs)
        else:
            r["compat"] = "not available yet (no cloudtower.simulator.Simulator)"
    log("done in %.0f s" % (time.time() - started))
    r["load_end"] = os.getloadavg()[0]

    with open(os.path.join(WORK, "results.json"), "w") as handle:
        json.dump(r, handle, indent=1, default=str)
    print_report(r, command)
    if args.update_docs:
        update_docs(r, command)
    compat = r.get("compat")
    return 1 if isinstance(compat, dict) and not compat["passed"] else 0


if __name__ == "__main__":
    sys.exit(main())
