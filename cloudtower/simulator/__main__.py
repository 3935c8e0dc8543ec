# coding: utf-8
"""``python -m cloudtower.simulator``: serve a local CloudTower until interrupted."""
from __future__ import print_function

import argparse
import logging
import os
import sys
import time

from cloudtower.simulator.server import DEFAULT_PASSWORD, DEFAULT_PORT, DEFAULT_USERNAME, Simulator


def _newest():
    from cloudtower import versions
    return versions.known_versions()[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m cloudtower.simulator",
        description="Serve a local CloudTower (the SDK's simulator) until interrupted.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="TCP port, 0 for a free one (default: %d)" % DEFAULT_PORT)
    parser.add_argument("--username", default=DEFAULT_USERNAME,
                        help="the root user's name (default: %(default)s)")
    parser.add_argument("--password", default=DEFAULT_PASSWORD,
                        help="the root user's password (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="which seeded inventory: the same seed gives the same one "
                             "(default: %(default)s)")
    parser.add_argument("--size", default="small",
                        help="how big the estate is: small (the seeded inventory, 21 VMs over 4 "
                             "clusters; the default), medium (1,000 VMs over 10 clusters), large "
                             "(10,000 VMs over 50 clusters), a number of VMs (2500), or "
                             "VMSxCLUSTERS (5000x20)")
    parser.add_argument("--task-seconds", type=float, default=0.3,
                        help="how long each task runs (default: 0.3)")
    parser.add_argument("--api-version", default=None,
                        help="the CloudTower version to be, e.g. 4.3.0 (default: the newest the SDK "
                             "knows, %s)" % _newest())
    parser.add_argument("--pair", action="store_true",
                        help="serve an active-passive pair: two nodes over one estate, the first "
                             "active, on --port and the port after it (free ports with --port 0)")
    parser.add_argument("--state", metavar="FILE",
                        help="keep the estate in this JSON file: loaded at the start if it exists "
                             "(with the seed and size it came from, which a reset goes back to), "
                             "written if not, written again within --save-interval seconds of a "
                             "change and at exit; tasks that ran when it was written end FAILED "
                             "when it is loaded")
    parser.add_argument("--save-interval", type=float, default=1.0, metavar="SECONDS",
                        help="how soon after a change the --state file is written (default: 1)")
    parser.add_argument("--admin-token", metavar="TOKEN",
                        help="the token of the admin interface under /_simulator (header "
                             "X-Simulator-Admin; Basic credentials of the root user work too); "
                             "default: a random one, printed at start")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if args.task_seconds < 0:
        parser.error("--task-seconds must not be negative")
    if args.save_interval <= 0:
        parser.error("--save-interval must be above 0")
    from cloudtower import versions
    from cloudtower.simulator import scale
    try:
        scale.parse(args.size)
    except ValueError as error:
        parser.error("--size: %s" % error)
    if args.api_version is not None and versions.parse(args.api_version) is None:
        parser.error("--api-version must be a CloudTower version such as 4.3.0, got %r" % args.api_version)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(message)s")
    started = time.time()
    options = dict(host=args.host, seed=args.seed, task_seconds=args.task_seconds, size=args.size,
                   username=args.username, password=args.password, api_version=args.api_version)
    if args.state:
        options.update(state_file=args.state, save_interval=args.save_interval)
    from cloudtower.simulator.session import new_token
    options["admin_token"] = args.admin_token or new_token()
    from cloudtower.simulator.state import StateError
    existed = bool(args.state) and os.path.exists(args.state)
    try:
        if args.pair:
            ports = (args.port, args.port + 1 if args.port else 0)
            simulator = Simulator.pair(ports=ports, **options)
        else:
            simulator = Simulator(port=args.port, **options)
    except (StateError, OSError, IOError) as error:
        print("cannot keep the state in %s: %s" % (args.state, error), file=sys.stderr)
        return 1
    try:
        simulator.start()
    except (OSError, IOError) as error:
        print("cannot listen on %s:%d: %s" % (args.host, args.port, error), file=sys.stderr)
        return 1
    store = simulator.store
    estate = "seed %s, %s VMs over %s clusters" % (store.seed, "{:,}".format(len(store.rows["Vm"])),
                                                   len(store.rows["Cluster"]))
    if args.pair:
        first = simulator.nodes[0]
        print("CloudTower simulator pair (API %s; %s) ready in %.2f s"
              % (first.api_version, estate, time.time() - started))
        for node in simulator.nodes:
            print("endpoint: %s (%s)" % (node.endpoint, node.role))
    else:
        first = simulator
        print("CloudTower simulator (API %s; %s) ready in %.2f s"
              % (simulator.api_version, estate, time.time() - started))
        print("endpoint: %s" % simulator.endpoint)
    print("username: %s" % simulator.username)
    print("password: %s" % simulator.password)
    print("admin: %s/_simulator (header X-Simulator-Admin: $CLOUDTOWER_SIMULATOR_ADMIN, or "
          "Basic credentials of %s)" % (first.root_url, simulator.username))
    if args.state:
        print("state: %s (%s; written within %g s of a change and at exit)"
              % (args.state, "loaded" if existed else "new", args.save_interval))
    print("In a shell (these lines paste as they are):")
    for line in export_lines(first.endpoint, simulator.username, simulator.password,
                             first.admin_token):
        print(line)
    print("Press Ctrl+C to stop.")
    sys.stdout.flush()
    _interrupt_on_sigterm()
    try:
        simulator.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    return 0


def shell_quote(text):
    """``text`` in single quotes for a POSIX shell: nothing in it is expanded (``!``,
    ``$``, backquotes); a single quote inside becomes ``'"'"'``."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def export_lines(endpoint, username, password, admin_token):
    """The ``export CLOUDTOWER_...=`` lines of the banner, safe to paste into bash or zsh."""
    return ["export %s=%s" % (name, shell_quote(value)) for name, value in (
        ("CLOUDTOWER_ENDPOINT", endpoint), ("CLOUDTOWER_USERNAME", username),
        ("CLOUDTOWER_PASSWORD", password), ("CLOUDTOWER_SIMULATOR_ADMIN", admin_token))]


def _interrupt_on_sigterm():
    """SIGTERM (kill, a service manager) stops as Ctrl+C does: the state file is written."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt()
    try:
        signal.signal(signal.SIGTERM, interrupt)
    except (ValueError, AttributeError):  # not the main thread, or no SIGTERM here
        pass


if __name__ == "__main__":
    sys.exit(main())
