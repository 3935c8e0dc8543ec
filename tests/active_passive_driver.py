# coding: utf-8
"""Runs active-passive scenarios' client steps for tests/test_active_passive_official.py.

The same code runs against both SDKs:

- the OFFICIAL ``cloudtower-sdk`` 2.23.0, in a virtualenv that has it, started
  as ``python -I active_passive_driver.py`` (``-I``: ``import cloudtower`` can
  only find that SDK). It reads one JSON command a line on stdin and writes
  one JSON answer a line on stdout;
- ours, in-process: the test imports this module and calls :func:`execute`.

Commands (``client`` names a client made by an earlier ``new``)::

    {"do": "new", "client": "c", "endpoints": [...], "strategy": null or "auto_failover" ...,
     "probe_timeout": null or seconds, "user_config": null or {"name", "password", "source"}}
    {"do": "call", "client": "c", "call": "get_vms" | "create_label", "key": "label key"}
    {"do": "close", "client": "c"}

Answer: ``{"outcome": "ok" or the exception's class name, "module": its
module, "status": its status (None when it has none), "result": what the
call returned (a count), "active": current_active_base_url afterwards}``.

Standard library and ``cloudtower`` only; Python 2.7 and 3.
"""
import json
import sys

import cloudtower
from cloudtower.active_passive_client import ActivePassiveApiClient

CLIENTS = {}


def execute(command):
    """Run one command; the answer (a JSON-ready dict)."""
    name = command.get("client")
    answer = {"outcome": "ok", "module": None, "status": None, "result": None, "active": None}
    try:
        if command["do"] == "new":
            CLIENTS.pop(name, None)
            CLIENTS[name] = ActivePassiveApiClient(
                endpoints=command["endpoints"], user_config=command.get("user_config"),
                probe_timeout=command.get("probe_timeout"),
                failover_strategy=command.get("strategy"))
        elif command["do"] == "call":
            answer["result"] = _call(CLIENTS[name], command)
        elif command["do"] == "close":
            client = CLIENTS.pop(name, None)
            if client is not None:
                client.close()
            return answer
        else:
            raise ValueError("unknown command %r" % command["do"])
    except Exception as error:  # the outcome is what is compared
        answer["outcome"] = type(error).__name__
        answer["module"] = type(error).__module__
        answer["status"] = getattr(error, "status", None)
    client = CLIENTS.get(name)
    if client is not None:
        answer["active"] = client.current_active_base_url
    return answer


def _call(client, command):
    from cloudtower.api.label_api import LabelApi
    from cloudtower.api.vm_api import VmApi
    if command["call"] == "get_vms":
        return len(VmApi(client).get_vms({"first": 2}))
    if command["call"] == "create_label":
        answers = LabelApi(client).create_label([{"key": command["key"], "value": "v"}])
        return len(answers)
    raise ValueError("unknown call %r" % command["call"])


def main():
    sys.stdout.write(json.dumps({"ready": cloudtower.__version__, "file": cloudtower.__file__}) + "\n")
    sys.stdout.flush()
    for line in iter(sys.stdin.readline, ""):
        if not line.strip():
            continue
        command = json.loads(line)
        if command.get("do") == "quit":
            break
        sys.stdout.write(json.dumps(execute(command)) + "\n")
        sys.stdout.flush()
    for client in CLIENTS.values():
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
