# coding: utf-8
"""The results of a benchmark run as tables, the targets judged on them, and
docs/benchmarks.md written from them.
"""
from common import DOCS, VM_COUNT
from venvs import log

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
        label = "get_vms, %s VMs (%.1f MB JSON)" % (fmt(VM_COUNT), r["vms_bytes"] / 1e6)
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
    typed = r.get("typecheck")
    if typed:
        o, f = typed["ours"], typed["official"]
        # not a race: the official SDK has no types, so mypy checks none of its calls
        add("mypy --strict over a short script: first run (s)", o["cold"], f["cold"], digits=2,
            compare=False)
        add("mypy --strict: a run with mypy's cache (s)", o["warm"], f["warm"], digits=2,
            compare=False)
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


