# coding: utf-8
"""A local CloudTower for offline development and tests.

It speaks CloudTower's wire protocol (every operation under ``/v2/api``,
JSON bodies, the login token raw in ``Authorization``, an
``x-tower-request-id`` on every answer, CloudTower's error body), keeps a
consistent inventory, and behaves like the real system closely enough that
a script written against it runs unchanged against a real CloudTower.
Everything it knows of the API comes from the SDK's generated code.

In a program or a test::

    from cloudtower.simulator import Simulator
    from cloudtower import VmApi

    with Simulator(port=0, seed=1, task_seconds=0.05) as sim:
        client = sim.client()                    # an ApiClient, logged in as root
        vms = VmApi(client).get_vms({"where": {"status": "RUNNING"}})
        # or: Configuration(host=sim.endpoint) + sim.login(api_client)

From a shell: ``python -m cloudtower.simulator [--host 127.0.0.1] [--port 8090]
[--username root] [--password ...] [--seed N] [--size large] [--task-seconds S]
[--api-version 4.3.0] [--state FILE] [--admin-token T] [--pair]`` prints the
endpoint and credentials (and ``export CLOUDTOWER_...`` lines that paste into a
shell as they are) and serves until interrupted (port 0: a free port;
``--pair``: two nodes, see below).

Its size (``size=``, :mod:`cloudtower.simulator.scale`): the seeded 21 VMs
(``small``), ``medium`` (1,000), ``large`` (10,000 over 50 clusters), or any
number. Its state (:mod:`cloudtower.simulator.state`): ``sim.export_state()``,
``sim.import_state(data)``, ``save_state(path)``, ``load_state(path)``, and
``state_file=`` to keep it in a file. From outside the process: the admin
interface under ``/_simulator`` (:mod:`cloudtower.simulator.admin`), behind
``sim.admin_token`` or the root user's Basic credentials.

An active-passive pair: ``Simulator.pair(...)`` starts two simulators over
one estate; the passive one answers every request ``307``, and ``switch()``,
``down(i)`` and ``up(i)`` change the roles while it serves
(:mod:`cloudtower.simulator.pair`, docs/simulator.md).

Versions: it is the newest CloudTower the SDK knows unless told otherwise
(``api_version=``): then it serves only that version's operations (others
answer 404, as a CloudTower without the route does), checks bodies against
that version's schemas and answers ``get-version`` with it.

What it does:

- Queries: every ``get-*`` list operation takes ``where`` with all the
  operators of its ``*WhereInput`` (including relation filters,
  ``_some``/``_every``/``_none``, ``AND``/``OR``/``NOT``), ``orderBy``,
  ``first``/``skip``/``after``/``before``/``last``; ``get-*-connection``
  answers the count. A filter it cannot evaluate answers 400, never ignored.
- Mutations answer at once with their tasks (``WithTask_*``); a ``Task``
  moves ``PENDING`` -> ``EXECUTING`` -> ``SUCCESSED`` over ``task_seconds``
  and the change lands when it ends. What the real system would refuse
  (starting a running VM, deleting a running one, a host of another
  cluster...) ends ``FAILED`` with ``error_code``/``error_message`` and
  changes nothing. The VM life cycle, snapshots, templates, folders,
  placement groups, labels and uploads are modelled; every other
  create/update/delete works generically from the schemas.
- Validation: wrong types, missing required fields, values outside an enum
  and unknown properties (where the schema is closed) answer 400 naming the
  field (``body[0].vm_nics[0].model``); nothing changes.

For tests:

- ``sim.reset()`` restores the seeded inventory (``sim.store.dirty`` says
  whether anything changed); ``sim.settle()`` ends all running tasks now.
- ``sim.fail_next("create_vm", status=503, times=1)`` answers the next
  matching request with an error and does nothing; ``drop=True`` closes the
  connection without an answer (``after=True``: after carrying the request
  out); ``delay=S`` waits first (with ``status=None``: then answers normally).
- ``sim.fail_tasks("start_vm", error_code=..., error_message=...)`` makes
  the next task of that operation fail.
- ``sim.expire_sessions()`` invalidates every token (the next call gets 401;
  a client from ``sim.client()`` then logs in again by itself).
- ``sim.requests`` holds the last requests (method, path, status, JSON body).

Uploads (``create_elf_image`` and the other upload operations): send the
first chunk (field ``file``) with ``size``/``size_unit`` of the whole file;
the answer is an ``UploadTask`` with ``chunk_size`` (8 MiB). Send each next
chunk with ``upload_task_id``; after the last one the task is ``SUCCESSED``
and the ``ElfImage`` exists, its ``local_id`` in the task's
``args["attributes"]["uuid"]``.

LDAP: accounts given as ``users=[{"username", "password", "source": "LDAP"}]``
log in with ``source`` ``LDAP``, or ``AUTHN`` with the ``auth_config_id`` that
the ``authnStrategies`` query of the ``/api`` GraphQL endpoint announces.
"""
from cloudtower.simulator.pair import SimulatorPair
from cloudtower.simulator.server import DEFAULT_PASSWORD, DEFAULT_PORT, DEFAULT_USERNAME, Simulator

__all__ = ["Simulator", "SimulatorPair", "DEFAULT_USERNAME", "DEFAULT_PASSWORD", "DEFAULT_PORT"]
