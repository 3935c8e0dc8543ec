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
import json
import os
import sys
import time

# the modules beside this file: run.py is run as a script, from anywhere
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PAGINATE_VMS, VM_COUNT, WORK
from measure import (
    available,
    canned,
    machine_info,
    make_vms,
    measure_big,
    measure_import,
    measure_paginate,
    measure_typecheck,
    measure_wait,
    median,
    official_compat,
    worker,
)
from report import print_report, update_docs
from servers import FixedServer
from venvs import default_python, log, setup_official, setup_ours

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
                                       "async,wait,paginate,typecheck,compat")
    parser.add_argument("--update-docs", action="store_true",
                        help="write the results into docs/benchmarks.md")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    wanted = lambda name: only is None or name in only  # noqa: E731
    command = "python3 benchmarks/run.py" + (" --quick" if args.quick else "") + \
        (" --ref " + args.ref if args.ref else "") + (" --only " + args.only if args.only else "")
    reps = {"import": 7, "big": 5, "big_official": 3, "serialize": 10, "small": 5,
            "small_official": 3, "async": 3, "wait": 3, "paginate": 3, "paginate_official": 2, "typecheck": 3}
    if args.quick:
        reps = {"import": 3, "big": 2, "big_official": 1, "serialize": 3, "small": 2,
                "small_official": 1, "async": 1, "wait": 1, "paginate": 1, "paginate_official": 1, "typecheck": 1}

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
    if wanted("typecheck"):
        log("mypy --strict over a short script, %d rounds" % reps["typecheck"])
        r["typecheck"] = measure_typecheck(venvs, reps["typecheck"])
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
