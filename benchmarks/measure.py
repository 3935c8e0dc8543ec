# coding: utf-8
"""The measurements of a benchmark run, each in separate processes against
loopback servers or the simulator (benchmarks/worker.py does the timing inside).
"""
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import threading
import time

from common import (
    COMPAT,
    IMPORTS,
    MYPY,
    PAGE_SIZE,
    PAGINATE_VMS,
    REPO,
    SEED,
    VM_COUNT,
    WORK,
    WORKER,
)
from servers import CountingProxy
from venvs import child_env, git, log, run

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

class SimulatorProcess(object):
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
    simulator = SimulatorProcess(venvs["ours"], task_seconds=task_seconds)
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
    simulator = SimulatorProcess(venvs["ours"], size=PAGINATE_VMS)
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
    simulator = SimulatorProcess(venvs["ours"])
    try:
        result = subprocess.run(
            [venvs["official"].python, COMPAT, "--endpoint", simulator.endpoint,
             "--username", simulator.username, "--password", simulator.password],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
            cwd=WORK, env=child_env(), timeout=600)
    finally:
        simulator.close()
    return {"passed": result.returncode == 0, "output": result.stdout}


# a script as a user writes it: a typed function over a filtered, ordered query
TYPED_SCRIPT = """\
from typing import List

from cloudtower import ApiClient, Configuration, VmApi


def running_names(client: ApiClient, prefix: str) -> List[str]:
    vms = VmApi(client).get_vms({"where": {"name_starts_with": prefix, "status": "RUNNING"},
                                 "orderBy": "name_ASC", "first": 100})
    return [vm.name for vm in vms]


client = ApiClient(Configuration(host="http://127.0.0.1:1/v2/api"))
print(running_names(client, "web-"))
"""


def measure_typecheck(venvs, rounds):
    """``mypy --strict`` over TYPED_SCRIPT with each SDK installed: the first run (an
    empty cache) and a run with the cache it left. The official SDK has no type
    information, so mypy checks nothing of its calls (``--ignore-missing-imports``)."""
    script = os.path.join(WORK, "typed_script.py")
    with open(script, "w") as handle:
        handle.write(TYPED_SCRIPT)
    result = {}
    for name in ("ours", "official"):
        venv = venvs[name]
        venv.pip("install", MYPY)
        cache = os.path.join(WORK, "mypy-cache-" + name)
        command = [venv.python, "-m", "mypy", "--strict", "--cache-dir", cache, script]
        if name == "official":
            command.insert(3, "--ignore-missing-imports")
        cold, warm = [], []
        for _ in range(rounds):
            shutil.rmtree(cache, ignore_errors=True)
            for times in (cold, warm):
                started = time.perf_counter()
                finished = subprocess.run(command, cwd=WORK, env=child_env(), stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, universal_newlines=True)
                times.append(time.perf_counter() - started)
                if finished.returncode != 0:
                    raise RuntimeError("mypy failed with %s:\n%s" % (name, finished.stdout))
        log("  typecheck: %s: first run %.1f s, cached %.2f s" % (name, median(cold), median(warm)))
        result[name] = {"cold": median(cold), "warm": median(warm)}
    return result
