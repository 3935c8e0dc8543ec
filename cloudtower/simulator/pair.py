# coding: utf-8
"""An active-passive CloudTower pair: two simulators over one estate.

CloudTower 4.9.0 can run as two nodes, one active and one passive. The
active node serves the API and answers its health path (``/api/healthz``)
with 200. The passive node serves nothing: every request, the health path
included, is answered ``307 Temporary Redirect`` with a ``Location`` on the
active node (the same path) and an error body that says so. Clients that
know the pair (``cloudtower.ActivePassiveApiClient``) probe the health paths
to find the active node and treat a 307 as "this node is not active".

:class:`SimulatorPair` starts two :class:`~cloudtower.simulator.Simulator`
instances that share one ``Store`` (the same inventory, tasks and users; and
by default the same login sessions, as a pair with a replicated database
has). Tests change the roles while it serves::

    with Simulator.pair(seed=1, task_seconds=0.05) as pair:
        client = pair.client()           # ActivePassiveApiClient, logged in
        pair.switch()                    # the passive node becomes active
        pair.down(1)                     # the active node stops; node 0 takes over
        pair.up(1)                       # node 1 serves again, as the passive one

A node that is down has stopped listening (connections are refused). Taking
a node down is a clean stop: requests it is serving are answered first;
requests that arrive on its open connections from then on are closed
unanswered, never carried out. Faults injected on a node
(``pair.nodes[1].fail_next(...)``) apply whatever its role: a passive node
can be slow or drop connections too.
"""
import threading
import time

from cloudtower.simulator.server import API_PREFIX, HEALTH_PATH, Simulator

ACTIVE = "active"
PASSIVE = "passive"
DOWN = "down"
ROLES = (ACTIVE, PASSIVE, DOWN)
# how long taking a node down waits for the requests it is serving
DRAIN_SECONDS = 10.0


class PairNode(Simulator):
    """One node of a :class:`SimulatorPair`: a simulator that answers by its role."""

    def __init__(self, pair, index, **options):
        Simulator.__init__(self, **options)
        self.pair = pair
        self.index = index
        self.role = PASSIVE

    def handle(self, method, raw_path, headers, body):
        role = self.role
        if role == DOWN:
            # the node is stopping: close without doing anything
            return None, None, None
        if role == PASSIVE:
            return self._redirect(method, raw_path)
        return Simulator.handle(self, method, raw_path, headers, body)

    def _redirect(self, method, raw_path):
        path = raw_path.split("?", 1)[0]
        op = None
        if path.startswith(API_PREFIX + "/"):
            from cloudtower.simulator.schema import routes
            op = routes().get((method, path[len(API_PREFIX):]))
        # faults injected on this node still apply: a slow or broken passive node
        fault = self._take_fault(op, path, wildcard=path.rstrip("/") != HEALTH_PATH)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                return None, None, fault
            if fault.status:
                return fault.status, self._error_body(
                    fault.status, fault.message or "failure injected by the simulator", path, op,
                    fault.code), fault
        return 307, {"message": "this CloudTower node is passive: the active node of the pair "
                                "serves the API",
                     "status": 307, "path": path}, fault

    def response_headers(self, method, raw_path, status):
        if status != 307:
            return ()
        active = self.pair.active
        if active is None or active is self:
            return ()
        return (("Location", active.root_url + raw_path),)

    def __repr__(self):
        where = "at %s" % self.root_url if self._server is not None else "stopped"
        return "<PairNode %d %s %s>" % (self.index, self.role, where)


class SimulatorPair(object):
    """Two simulators over one estate, one active and one passive.

    :param active: which node starts active (0 or 1); None: both passive
    :param shared_sessions: a login on one node is valid on the other (the
        default, as in a pair that replicates its database); False: each
        node knows only its own logins, so a client logs in again after a
        failover
    :param ports: the two TCP ports (0: a free one each)
    :param options: for both :class:`~cloudtower.simulator.Simulator`
        instances (``seed``, ``task_seconds``, ``username``, ``password``,
        ``users``, ``api_version``, ``host``)
    """

    def __init__(self, active=0, shared_sessions=True, ports=(0, 0), **options):
        for key in ("port", "store"):
            if key in options:
                raise TypeError("SimulatorPair() takes ports=(first, second), not %s=" % key)
        first = PairNode(self, 0, port=ports[0], **options)
        second = PairNode(self, 1, port=ports[1], store=first.store, **options)
        if shared_sessions:
            second.tokens = first.tokens
        self.nodes = [first, second]
        self.shared_sessions = shared_sessions
        self._lock = threading.Lock()
        self._initial = (ACTIVE if active == 0 else PASSIVE, ACTIVE if active == 1 else PASSIVE)
        first.role, second.role = self._initial

    # -- life cycle --------------------------------------------------------

    def start(self):
        """Serve both nodes (those not down) in background threads; returns self."""
        try:
            for node in self.nodes:
                if node.role != DOWN:
                    node.start()
        except Exception:
            self.stop()
            raise
        return self

    def serve_forever(self):
        """Serve in the calling thread until interrupted (the command line)."""
        self.start()
        try:
            while True:
                time.sleep(0.5)
        finally:
            self.stop()

    def stop(self):
        for node in self.nodes:
            node.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc_value, traceback):
        self.stop()

    def __repr__(self):
        return "<SimulatorPair %s>" % ", ".join(
            "%s %s" % (node.root_url, node.role) for node in self.nodes)

    # -- what clients need -------------------------------------------------

    @property
    def store(self):
        """The estate both nodes serve."""
        return self.nodes[0].store

    @property
    def username(self):
        return self.nodes[0].username

    @property
    def password(self):
        return self.nodes[0].password

    @property
    def root_urls(self):
        """``["http://127.0.0.1:PORT1", "http://127.0.0.1:PORT2"]``: the endpoints
        of an ``ActivePassiveApiClient``."""
        return [node.root_url for node in self.nodes]

    @property
    def endpoints(self):
        """The API endpoints of both nodes (``.../v2/api``), as ``Configuration.host``."""
        return [node.root_url + API_PREFIX for node in self.nodes]

    def client(self, failover_strategy=None, probe_timeout=None, **configuration):
        """A new ``ActivePassiveApiClient`` for the pair, logged in as root.

        ``configuration``: attributes set on its ``Configuration`` first.
        """
        from cloudtower.active_passive_client import ActivePassiveApiClient
        from cloudtower.configuration import Configuration
        config = Configuration()
        for key, value in configuration.items():
            setattr(config, key, value)
        client = ActivePassiveApiClient(self.root_urls, configuration=config,
                                        failover_strategy=failover_strategy,
                                        probe_timeout=probe_timeout)
        from cloudtower.utils import login
        login(client, self.username, self.password)
        return client

    # -- roles -------------------------------------------------------------

    @property
    def roles(self):
        """``["active", "passive"]``: each node's role, in order."""
        return [node.role for node in self.nodes]

    @property
    def active(self):
        """The active node (a :class:`PairNode`), or None."""
        for node in self.nodes:
            if node.role == ACTIVE:
                return node
        return None

    def set_roles(self, first, second):
        """Give each node a role: ``"active"``, ``"passive"`` or ``"down"``.

        Any combination, for tests: two active nodes (split brain), none.
        Nodes change in one step (no request sees one changed and not the
        other); a node going down stops listening afterwards, one coming
        back starts again.
        """
        roles = (first, second)
        for role in roles:
            if role not in ROLES:
                raise ValueError("a role is one of %s, got %r" % (", ".join(ROLES), role))
        with self._lock:
            stopping = [n for n, r in zip(self.nodes, roles) if r == DOWN and n.role != DOWN]
            starting = [n for n, r in zip(self.nodes, roles) if r != DOWN and n.role == DOWN]
            for node in starting:
                node.start()
            for node, role in zip(self.nodes, roles):
                node.role = role
            for node in stopping:
                node.stop(drain=DRAIN_SECONDS)

    def switch(self):
        """The active node becomes passive and the passive one active, at once."""
        swap = {ACTIVE: PASSIVE, PASSIVE: ACTIVE, DOWN: DOWN}
        self.set_roles(*[swap[role] for role in self.roles])

    def down(self, index, promote=True):
        """Take node ``index`` down. If it was active and ``promote`` is true,
        the other node, if passive, becomes active in the same step."""
        roles = self.roles
        if promote and roles[index] == ACTIVE and roles[1 - index] == PASSIVE:
            roles[1 - index] = ACTIVE
        roles[index] = DOWN
        self.set_roles(*roles)

    def up(self, index, role=PASSIVE):
        """Bring node ``index`` back (on the same port), passive unless told otherwise."""
        roles = self.roles
        roles[index] = role
        self.set_roles(*roles)

    # -- state -------------------------------------------------------------

    def reset(self, seed=None):
        """Back to the seeded inventory and the first roles; faults and request logs cleared."""
        self.set_roles(*self._initial)
        self.nodes[0].reset(seed)
        self.nodes[1].clear_faults()
        self.nodes[1].requests.clear()

    def settle(self):
        self.nodes[0].settle()

    def expire_sessions(self):
        for node in self.nodes:
            node.expire_sessions()

    @property
    def task_seconds(self):
        return self.store.task_seconds

    @task_seconds.setter
    def task_seconds(self, value):
        self.store.task_seconds = float(value)
