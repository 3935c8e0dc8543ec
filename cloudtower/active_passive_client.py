# coding: utf-8
"""``ActivePassiveApiClient``: one client for a CloudTower active-passive pair.

CloudTower 4.9.0 can run as two nodes of which one, the active one, serves
the API. The passive node answers every request with ``307 Temporary
Redirect``, and each node's health path (``/api/healthz``) tells which is
which: 200 from the active node, 307 from the passive one.

The client is given the nodes (``endpoints``), probes their health paths (all
at once, each probe bounded by ``probe_timeout``) to find the active node,
remembers it, and sends every call there. When a node answers 307, or cannot
be reached, the remembered node is forgotten and the next request probes
again; what happens to the call that met the failure depends on
``failover_strategy`` (:class:`FailoverStrategy`).

Names, constructor, strategies and exceptions are those of the official
``cloudtower-sdk`` 2.23.0, so scripts written for it run unchanged. Beyond
that (docs/active-passive.md):

- A change is never sent twice. A request answered 307, or one that never
  reached a node, did nothing and may be sent to the active node. A change
  whose answer was lost may have been carried out: it is reported (status 0)
  and not repeated, on either node, exactly as ``ApiClient`` does with a
  single node. Reads are repeated as ``ApiClient`` repeats them, on the node
  that is active by then.
- It is an ``ApiClient``: ``cloudtower.utils.login`` (and logging in again
  when a session expires), retries, timeouts, ``async_req`` and the
  CloudTower version checks work through it; it is safe to share between
  threads.
"""
import copy
import logging
import threading

import six

from cloudtower.api_client import ApiClient
from cloudtower.configuration import DEFAULT_API_PATH, Configuration
from cloudtower.exceptions import ApiException, ApiValueError

logger = logging.getLogger("cloudtower.active_passive")

DEFAULT_PROBE_TIMEOUT = 5
DEFAULT_SCHEME = "http"
HOST_STATE_ACTIVE = "active"
HOST_STATE_PASSIVE = "passive"
HTTP_STATUS_TEMPORARY_REDIRECT = 307
# how many nodes one request is sent to, at most, under AUTO_FAILOVER
REQUEST_ATTEMPTS = 2
# a caller waiting for another thread's probes gives up this long after they should have ended
_WAIT_MARGIN = 1.0


class ActivePassiveException(ApiException):
    """What ``ActivePassiveApiClient`` raises about the pair itself.

    ``host`` is the endpoint (root URL) concerned, ``endpoints`` all of them,
    ``active_hosts`` those that claimed to be active, ``failures`` why probes
    failed (``"root URL: reason"``), ``strategy`` the failover strategy.
    """

    default_reason = "active-passive client error"

    def __init__(self, status=None, reason=None, http_resp=None, host=None, endpoints=None,
                 active_hosts=None, failures=None, strategy=None):
        super(ActivePassiveException, self).__init__(
            status=status, reason=reason if reason is not None else self.default_reason,
            http_resp=http_resp)
        if http_resp is not None and reason is not None:
            self.reason = reason
            self.args = (self.status, reason)
        self.host = host
        self.endpoints = list(endpoints) if endpoints is not None else None
        self.active_hosts = list(active_hosts) if active_hosts is not None else None
        self.failures = list(failures) if failures is not None else None
        self.strategy = strategy


class ActivePassiveNoEndpoints(ActivePassiveException):
    """No endpoint was given, or one that is not an address."""
    default_reason = "an active-passive client needs at least one endpoint"


class ActivePassiveDuplicateHost(ActivePassiveException):
    """The same root URL was given twice."""
    default_reason = "the endpoints of an active-passive client must differ"


class ActivePassiveNoActiveHost(ActivePassiveException):
    """No endpoint answered its health path as the active node."""
    default_reason = "no endpoint is active"


class ActivePassiveMultipleActives(ActivePassiveException):
    """More than one endpoint answered as the active node."""
    default_reason = "more than one endpoint is active"


class ActivePassiveRetryExhausted(ActivePassiveException):
    """Under AUTO_FAILOVER, the node found active answered 307 too."""
    default_reason = "the request was redirected again after finding the active endpoint"


class ActivePassiveFailoverRequired(ActivePassiveException):
    """Under MANUAL_FAILOVER or ALWAYS_PROBE, the call's node stopped being active.

    Nothing was done (status 307), or nothing is known to be done (status 0:
    the node could not be reached). The next call finds the active node.
    """
    default_reason = "the endpoint is no longer active: failover required"


class ActivePassiveUnknownHost(ActivePassiveException):
    """A root URL that is not one of the client's endpoints."""
    default_reason = "not an endpoint of this active-passive client"


class FailoverStrategy(object):
    """What a call does when its node turns out not to be active.

    - ``AUTO_FAILOVER`` (the default): find the active node and send the
      request there, once.
    - ``MANUAL_FAILOVER``: raise ``ActivePassiveFailoverRequired``; the next
      call finds the active node (or call ``client.failover()``).
    - ``ALWAYS_PROBE``: probe before every request, and raise like
      ``MANUAL_FAILOVER`` when a node turns passive in between.
    """
    AUTO_FAILOVER = "auto_failover"
    MANUAL_FAILOVER = "manual_failover"
    ALWAYS_PROBE = "always_probe"


_STRATEGIES = (FailoverStrategy.AUTO_FAILOVER, FailoverStrategy.MANUAL_FAILOVER,
               FailoverStrategy.ALWAYS_PROBE)


class _Endpoint(object):
    """One node: its root URL, API URL (``host``) and health URL."""

    __slots__ = ("root_url", "host", "probe_url")

    def __init__(self, configuration):
        self.root_url = configuration.root_url
        self.host = configuration.host.rstrip("/")
        self.probe_url = configuration.probe_url

    def __repr__(self):
        return "<endpoint %s>" % self.root_url


def _as_endpoint(entry):
    """An endpoint from a root URL string, a dict of URL fields or a ``Configuration``."""
    if isinstance(entry, Configuration):
        conf = entry
    elif isinstance(entry, six.string_types):
        if not entry.strip():
            return None
        root = entry.strip().rstrip("/")
        if root.endswith(DEFAULT_API_PATH):
            # the API address given for the root: the same node
            root = root[:-len(DEFAULT_API_PATH)]
        conf = Configuration(root_url=root, scheme=DEFAULT_SCHEME)
    elif isinstance(entry, dict):
        root = entry.get("root_url") or entry.get("base_url")
        fields = dict(scheme=entry.get("scheme") or DEFAULT_SCHEME,
                      api_path=entry.get("api_path") or None,
                      probe_path=entry.get("probe_path") or None)
        if root:
            conf = Configuration(root_url=root, **fields)
        elif entry.get("host"):
            conf = Configuration(host=entry["host"], **fields)
        else:
            return None
    else:
        return None
    if not conf.root_url or "://" not in conf.root_url:
        return None
    return _Endpoint(conf)


class _Discovery(object):
    """One round of probes that other threads can wait for; ``epoch``: the
    client's count of failures when it started."""

    def __init__(self, epoch):
        self.epoch = epoch
        self.done = threading.Event()
        self.endpoint = None
        self.error = None


class _Call(object):
    """What one ``call_api`` learned: the node it was sent to, the last node
    it met a failure on and that failure's epoch."""

    __slots__ = ("endpoint", "failed", "failed_at")

    def __init__(self):
        self.endpoint = None
        self.failed = None
        self.failed_at = 0


class ActivePassiveApiClient(ApiClient):
    """An ``ApiClient`` for a CloudTower active-passive pair (see the module docstring).

    :param endpoints: the nodes: root URLs (``"https://tower-a.example"``; a
        missing scheme is ``http``), dicts with ``root_url`` (or
        ``base_url``/``host``), ``scheme``, ``api_path``, ``probe_path``, or
        ``Configuration`` objects; each node once
    :param user_config: ``{"name", "password", "source"}``: log in at once
        (through ``cloudtower.utils.login``, so sessions that expire are
        renewed)
    :param probe_timeout: seconds one health probe may take (default 5)
    :param failover_strategy: a :class:`FailoverStrategy` value
    :param configuration: settings for every node (credentials, TLS,
        timeouts, retries, ``api_version``); its address is not used
    :param header_name: a header sent with every request, with ``header_value``
    :param cookie: a cookie sent with every request
    :param pool_threads: threads serving ``async_req=True`` calls

    ``current_active_base_url`` is the root URL of the node in use (None
    before the first probe and after a failure).
    """

    def __init__(self, endpoints=None, user_config=None, probe_timeout=None,
                 failover_strategy=None, configuration=None, header_name=None,
                 header_value=None, cookie=None, pool_threads=1):
        if not endpoints:
            raise ActivePassiveNoEndpoints(status=0, endpoints=endpoints)
        if isinstance(endpoints, six.string_types) or isinstance(endpoints, dict):
            endpoints = [endpoints]
        parsed = []
        for entry in endpoints:
            endpoint = _as_endpoint(entry)
            if endpoint is None:
                raise ActivePassiveNoEndpoints(
                    status=0, reason="not an endpoint: %r (a root URL, a dict with root_url, or a "
                                     "Configuration)" % (entry,), endpoints=endpoints)
            if any(seen.root_url == endpoint.root_url for seen in parsed):
                raise ActivePassiveDuplicateHost(
                    status=0, reason="the endpoint %s is given twice" % endpoint.root_url,
                    host=endpoint.root_url, endpoints=endpoints)
            parsed.append(endpoint)
        if failover_strategy is None:
            failover_strategy = FailoverStrategy.AUTO_FAILOVER
        if failover_strategy not in _STRATEGIES:
            raise ApiValueError("failover_strategy must be one of %s, got %r"
                                % (", ".join(_STRATEGIES), failover_strategy))
        if configuration is None:
            given = [entry for entry in endpoints if isinstance(entry, Configuration)]
            configuration = given[0] if given else Configuration.get_default_copy()
        # the client's own copy: its address follows the active node
        configuration = copy.copy(configuration)
        configuration.host = parsed[0].host
        super(ActivePassiveApiClient, self).__init__(
            configuration, header_name=header_name, header_value=header_value, cookie=cookie,
            pool_threads=pool_threads)
        self._endpoints = parsed
        self.probe_timeout = probe_timeout if probe_timeout is not None else DEFAULT_PROBE_TIMEOUT
        self.failover_strategy = failover_strategy
        self._state_lock = threading.Lock()
        self._active = None
        self._discovery = None
        # failures seen so far, and the last one of each endpoint: probes that
        # started before a node failed do not send requests back to it
        self._epoch = 0
        self._failed_at = {}
        self._calls = threading.local()
        # URL prefixes this client routes, longest first: (prefix, under the API?)
        prefixes = [(e.host, True) for e in parsed] + [(e.root_url, False) for e in parsed]
        self._prefixes = sorted(prefixes, key=lambda item: -len(item[0]))
        if user_config is not None:
            self._login_with_user_config(user_config)

    # -- what callers see ----------------------------------------------------

    @property
    def endpoints(self):
        """The root URLs of the nodes, in the order given."""
        return [endpoint.root_url for endpoint in self._endpoints]

    @property
    def current_active_base_url(self):
        """The root URL of the node calls go to; None until found, and after a failure."""
        active = self._active
        return active.root_url if active is not None else None

    def discover(self):
        """Probe every node now; returns the active one's root URL (and uses it)."""
        return self._find_active(fresh=True).root_url

    def failover(self, root_url=None):
        """Forget the node in use and probe again now; returns the active root URL.

        ``root_url``: use that endpoint from now on without probing (it must
        be one of ``endpoints``, else ``ActivePassiveUnknownHost``).
        """
        if root_url is None:
            return self.discover()
        wanted = root_url.rstrip("/")
        for endpoint in self._endpoints:
            if endpoint.root_url == wanted:
                self._use(endpoint)
                return endpoint.root_url
        raise ActivePassiveUnknownHost(status=0, reason="%s is not an endpoint of this client "
                                                        "(%s)" % (root_url, ", ".join(self.endpoints)),
                                       host=root_url, endpoints=self.endpoints,
                                       strategy=self.failover_strategy)

    def _login_with_user_config(self, user_config):
        if isinstance(user_config, dict):
            name, password = user_config.get("name"), user_config.get("password")
            source = user_config.get("source")
        else:
            name, password = getattr(user_config, "name", None), getattr(user_config, "password", None)
            source = getattr(user_config, "source", None)
        from cloudtower.utils import login
        login(self, name, password, source or "LOCAL")

    # -- the node in use -------------------------------------------------------

    def _use(self, endpoint):
        with self._state_lock:
            self._active = endpoint
        self._show(endpoint)

    def _show(self, endpoint):
        if self.configuration.host != endpoint.host:
            # what configuration.host, to_debug_report() and the LDAP helper show
            self.configuration.host = endpoint.host
            logger.info("active CloudTower node: %s", endpoint.root_url)

    def _forget(self, endpoint):
        """The node failed as the active one: probe before the next request.
        Returns the failure's epoch (see ``_find_active``)."""
        with self._state_lock:
            self._epoch += 1
            self._failed_at[endpoint.root_url] = self._epoch
            if self._active is endpoint:
                self._active = None
                logger.info("CloudTower node %s is not active any more", endpoint.root_url)
            return self._epoch

    def _find_active(self, fresh=False, failed=None, after=0):
        """The active endpoint: the remembered one, or found by probing.

        One thread probes; the others that need an answer meanwhile wait for
        its result (at most ``probe_timeout`` and a little), never for more.
        ``failed``, ``after``: the endpoint a request of the caller's failed
        on, and that failure's epoch. Probes that started before the failure
        may have seen that endpoint active: such a result is not used by the
        caller, nor remembered.
        """
        while True:
            with self._state_lock:
                if not fresh and self._active is not None:
                    return self._active
                discovery = self._discovery
                leader = discovery is None
                if leader:
                    discovery = self._discovery = _Discovery(self._epoch)
            if leader:
                self._lead(discovery)
            elif not discovery.done.wait(self.probe_timeout + _WAIT_MARGIN):
                raise ActivePassiveNoActiveHost(
                    status=0, reason="probing the endpoints took longer than %s s"
                                     % (self.probe_timeout + _WAIT_MARGIN),
                    endpoints=self.endpoints, strategy=self.failover_strategy)
            if discovery.error is not None:
                raise _again(discovery.error)
            if discovery.endpoint is failed and discovery.epoch < after:
                continue  # probed before the failure: probe again
            return discovery.endpoint

    def _lead(self, discovery):
        try:
            discovery.endpoint = self._probe_all()
        except ActivePassiveException as error:
            discovery.error = error
        except Exception as error:  # e.g. no thread could be started: no answer, for everyone
            discovery.error = ActivePassiveNoActiveHost(
                status=0, reason="probing the endpoints failed: %s: %s" % (type(error).__name__, error),
                endpoints=self.endpoints, strategy=self.failover_strategy)
        finally:
            found = discovery.endpoint
            with self._state_lock:
                # remembered unless it failed after these probes began
                current = found is not None and \
                    self._failed_at.get(found.root_url, 0) <= discovery.epoch
                if self._discovery is discovery:
                    self._discovery = None
                if current:
                    self._active = found
                elif found is None:
                    self._active = None
            discovery.done.set()
        if current:
            self._show(found)

    def _probe_all(self):
        endpoints = self._endpoints
        results = [None] * len(endpoints)

        def probe(index):
            results[index] = self._probe(endpoints[index])

        if len(endpoints) == 1:
            probe(0)
        else:
            threads = [threading.Thread(target=probe, args=(i,), name="cloudtower-probe")
                       for i in range(len(endpoints))]
            for thread in threads:
                thread.daemon = True
                thread.start()
            import time
            deadline = time.time() + self.probe_timeout + _WAIT_MARGIN
            for thread in threads:
                thread.join(max(0.0, deadline - time.time()))
        actives = []
        failures = []
        for endpoint, result in zip(endpoints, results):
            if result is None:
                failures.append("%s: no answer in %s s" % (endpoint.root_url, self.probe_timeout))
            elif result == HOST_STATE_ACTIVE:
                actives.append(endpoint)
            elif result != HOST_STATE_PASSIVE:
                failures.append("%s: %s" % (endpoint.root_url, result))
        if len(actives) == 1:
            return actives[0]
        if actives:
            roots = [endpoint.root_url for endpoint in actives]
            raise ActivePassiveMultipleActives(
                status=0, reason="more than one endpoint is active: %s" % ", ".join(roots),
                endpoints=self.endpoints, active_hosts=roots, strategy=self.failover_strategy)
        reason = "no endpoint is active"
        if failures:
            reason += ": " + "; ".join(failures)
        raise ActivePassiveNoActiveHost(status=0, reason=reason, endpoints=self.endpoints,
                                        failures=failures or None, strategy=self.failover_strategy)

    def _probe(self, endpoint):
        """``"active"``, ``"passive"``, or why the probe failed."""
        import urllib3
        try:
            response = self.rest_client.pool_manager.request(
                "GET", endpoint.probe_url, headers={"Accept": "application/json",
                                                    "User-Agent": self.user_agent},
                timeout=urllib3.Timeout(total=self.probe_timeout), retries=False, redirect=False)
        except Exception as error:  # any failure: this node is not the active one
            return "%s: %s" % (type(error).__name__, error)
        if response.status == 200:
            return HOST_STATE_ACTIVE
        if response.status == HTTP_STATUS_TEMPORARY_REDIRECT:
            return HOST_STATE_PASSIVE
        return "the health path answered %d" % response.status

    # -- sending ---------------------------------------------------------------

    def _call_api(self, *args, **kwargs):
        # one call may send several requests (a retry, a login again): they
        # share what the call learned, in this thread
        calls = self._calls
        outer = getattr(calls, "current", None)
        calls.current = _Call()
        try:
            return super(ActivePassiveApiClient, self)._call_api(*args, **kwargs)
        finally:
            calls.current = outer

    def _route(self, url):
        for prefix, under_api in self._prefixes:
            if url.startswith(prefix) and url[len(prefix):len(prefix) + 1] in ("", "/", "?"):
                return url[len(prefix):], under_api
        return None

    def request(self, method, url, *args, **kwargs):
        """Send one request to the active node: a URL under any endpoint is
        moved to it, any other URL is sent as it is. The other arguments are
        those of ``ApiClient.request``."""
        route = self._route(url)
        base = super(ActivePassiveApiClient, self).request
        if route is None:
            return base(method, url, *args, **kwargs)
        rest, under_api = route
        call = getattr(self._calls, "current", None) or _Call()
        strategy = self.failover_strategy
        sent_to = 0
        while True:
            endpoint = self._find_active(fresh=strategy == FailoverStrategy.ALWAYS_PROBE,
                                         failed=call.failed, after=call.failed_at)
            if call.endpoint is not None and endpoint is not call.endpoint \
                    and strategy != FailoverStrategy.AUTO_FAILOVER:
                # this call met a failure on its node; it does not move by itself
                raise ActivePassiveFailoverRequired(
                    status=0, reason="%s failed on %s, and %s is active now: failover required"
                                     % (method, call.endpoint.root_url, endpoint.root_url),
                    host=call.endpoint.root_url, endpoints=self.endpoints, strategy=strategy)
            call.endpoint = endpoint
            target = (endpoint.host if under_api else endpoint.root_url) + rest
            sent_to += 1
            try:
                return base(method, target, *args, **kwargs)
            except ApiException as error:
                if error.status != HTTP_STATUS_TEMPORARY_REDIRECT:
                    raise
                # a passive node did nothing: the request may go to the active one
                call.failed, call.failed_at = endpoint, self._forget(endpoint)
                if strategy != FailoverStrategy.AUTO_FAILOVER:
                    raise ActivePassiveFailoverRequired(
                        status=HTTP_STATUS_TEMPORARY_REDIRECT,
                        reason="%s is not active (it answered 307): failover required"
                               % endpoint.root_url,
                        http_resp=_response_of(error), host=endpoint.root_url,
                        endpoints=self.endpoints, strategy=strategy)
                if sent_to >= REQUEST_ATTEMPTS:
                    raise ActivePassiveRetryExhausted(
                        status=HTTP_STATUS_TEMPORARY_REDIRECT,
                        reason="%s answered 307 too, after probing found it active"
                               % endpoint.root_url,
                        http_resp=_response_of(error), host=endpoint.root_url,
                        endpoints=self.endpoints, strategy=strategy)
                call.endpoint = None
            except Exception as error:
                if not _is_transport_error(error):
                    raise
                call.failed, call.failed_at = endpoint, self._forget(endpoint)
                from cloudtower.api_client import _may_have_been_sent
                if strategy != FailoverStrategy.AUTO_FAILOVER or _may_have_been_sent(error) \
                        or sent_to >= REQUEST_ATTEMPTS:
                    # whether to send it again is ApiClient's decision (a change
                    # that may have been carried out never is)
                    raise
                # it never reached the node: send it to the node active now
                call.endpoint = None


def _is_transport_error(error):
    import urllib3
    return isinstance(error, (urllib3.exceptions.HTTPError, IOError, OSError))


def _response_of(error):
    """The HTTP response an ``ApiException`` was made from, for the exception that replaces it."""
    if error.headers is None:
        return None
    return _Answered(error)


class _Answered(object):
    """An answer already read, in the form ``ApiException(http_resp=...)`` reads."""

    def __init__(self, error):
        self.status = error.status
        self.reason = error.reason
        self.data = error.body
        self._headers = error.headers

    def getheaders(self):
        return self._headers

    def getheader(self, name, default=None):
        return self._headers.get(name, default)


def _again(error):
    """A copy of an exception that other threads raise too: each raise gets its own traceback."""
    return copy.copy(error)
