# coding: utf-8
"""``ApiClient``: builds requests, sends them, turns responses into models.

Every generated ``*Api`` method ends up in :meth:`ApiClient.call_operation`
with its entry of the operation table; ``call_api`` and ``request`` remain
for code written against the openapi-generator client.
"""
import json
import os
import threading
import time

import six

from cloudtower import model as _model
from cloudtower._version import __version__
from cloudtower.configuration import Configuration
from cloudtower.exceptions import (
    ApiException,
    ApiTypeError,
    ApiValueError,
    OpenApiException,
    nested_too_deeply,
)
from cloudtower.model import RecursionError_

# Keyword arguments every operation accepts besides its own parameters.
COMMON_KWARGS = frozenset([
    "async_req", "_return_http_data_only", "_preload_content", "_request_timeout",
    "_headers", "_content_type", "_request_auth",
    "content_language", "_host_index", "_deadline",
])
RETRY_STATUSES = frozenset([502, 503, 504])

_monotonic = getattr(time, "monotonic", time.time)


class ApiClient(object):
    """Talks to one CloudTower endpoint.

    :param configuration: a ``Configuration`` (the default one if omitted)
    :param header_name: a header sent with every request, with ``header_value``
    :param cookie: a cookie sent with every request
    :param pool_threads: threads serving ``async_req=True`` calls
    """

    PRIMITIVE_TYPES = (float, bool, bytes, six.text_type) + six.integer_types
    NATIVE_TYPES_MAPPING = {
        "int": int, "long": int if six.PY3 else long,  # noqa: F821
        "float": float, "str": str, "bool": bool, "object": object,
    }

    def __init__(self, configuration=None, header_name=None, header_value=None,
                 cookie=None, pool_threads=1):
        if configuration is None:
            configuration = Configuration.get_default_copy()
        self.configuration = configuration
        self.pool_threads = pool_threads
        self._pool = None
        self._pool_lock = threading.Lock()
        self._rest_client = None
        self._rest_lock = threading.Lock()
        self.default_headers = {}
        if header_name is not None:
            self.default_headers[header_name] = header_value
        self.cookie = cookie
        self.user_agent = "cloudtower-python-sdk/%s" % __version__
        self.client_side_validation = configuration.client_side_validation
        # Set by cloudtower.utils.login: called once when a token is refused.
        self.reauthenticate = None
        # (index, text) of the server's version once asked (see cloudtower_version)
        self._detected_version = None
        self._version_lock = threading.Lock()
        self._closed = False
        # one re-login per expired token, shared by the threads that met it
        self._relogin = threading.Condition(threading.Lock())
        self._relogin_running = False
        self._auth_generation = 0
        self._relogin_outcome = None  # (generation it was tried at, succeeded)
        self._closing = False

    # the clock deadlines are measured on, and how retries wait (tests replace them)
    _clock = staticmethod(_monotonic)
    _sleep = staticmethod(time.sleep)

    # -- life cycle --------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    def close(self):
        """End the thread pool and the connections; the client can be used again after.

        Calls queued with ``async_req=True`` that have not started yet fail at
        once (``ApiException`` status 0); the ones under way end within their
        deadline, measured from when they were made, so closing waits at most
        that long.
        """
        pool, self._pool = self._pool, None
        if pool is not None:
            self._closing = True
            try:
                pool.close()
                pool.join()
            finally:
                self._closing = False
        rest, self._rest_client = self._rest_client, None
        if rest is not None:
            rest.close()

    @property
    def pool(self):
        """The thread pool for ``async_req`` calls, created on first use."""
        if self._pool is None:
            with self._pool_lock:
                if self._pool is None:
                    from multiprocessing.pool import ThreadPool
                    self._pool = ThreadPool(self.pool_threads)
        return self._pool

    @property
    def rest_client(self):
        if self._rest_client is None:
            with self._rest_lock:
                if self._rest_client is None:
                    from cloudtower.rest import RESTClientObject
                    self._rest_client = RESTClientObject(
                        self.configuration, maxsize=max(self.pool_threads,
                                                        self.configuration.connection_pool_maxsize or 1))
        return self._rest_client

    @property
    def user_agent(self):
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value):
        self.default_headers["User-Agent"] = value

    def set_default_header(self, header_name, header_value):
        """Send ``header_name: header_value`` with every request of this client.

        ``content_language`` is accepted as a spelling of ``content-language``.
        """
        if header_name.lower().replace("_", "-") == "content-language":
            header_name = "content-language"
        self.default_headers[header_name] = header_value

    # -- the generated methods' entry point --------------------------------

    def call_operation(self, operation, args, kwargs, with_http_info=False):
        """Check the arguments of ``operation`` and send it."""
        name = operation.name
        self._check_operation_version(operation)
        for key in kwargs:
            if key not in operation.accepted and key not in COMMON_KWARGS \
                    and not any(key == older for older, _ in operation.aliases):
                raise ApiTypeError("Got an unexpected keyword argument '%s' to method %s%s"
                                   % (key, name, _keyword_hint(key, operation)))
        positional = operation.positional
        if len(args) > len(positional):
            raise ApiTypeError("%s() takes %d positional argument(s) but %d were given"
                               % (name, len(positional), len(args)))
        # None stands for "not given": generated methods pass optional positionals as None
        params = dict((key, value) for key, value in zip(positional, args) if value is not None)
        for older, current in operation.aliases:
            # a parameter older releases named differently
            if older in kwargs:
                if current in kwargs or current in params:
                    raise ApiTypeError("%s() got both '%s' and its older name '%s'" % (name, current, older))
                kwargs = dict(kwargs)
                kwargs[current] = kwargs.pop(older)
        for key in params:
            if key in kwargs:
                raise ApiTypeError("%s() got multiple values for argument '%s'" % (name, key))
        params.update((k, v) for k, v in kwargs.items() if k in operation.accepted)
        for key in operation.required:
            if params.get(key) is None:
                raise ApiValueError("Missing the required parameter `%s` when calling `%s`"
                                    % (key, name))

        # extra headers first: the operation's own headers win, as in the official SDK
        headers = dict(kwargs.get("_headers") or {})
        headers["Accept"] = "application/json"
        language = kwargs.get("content_language")
        if language is not None:
            headers["content-language"] = language
        body = None
        form = None
        if operation.body is not None:
            param, type_name, _ = operation.body
            value = params.get(param)
            if value is not None:
                _check_body_type(name, param, type_name, value)
                body = _model.sanitize(value)
            headers["Content-Type"] = "application/json"
        elif operation.form:
            form = self._form_fields(operation, params)
            headers["Content-Type"] = "multipart/form-data"
        else:
            # the official SDK sends it on bodiless requests too
            headers["Content-Type"] = "application/json"
        if kwargs.get("_content_type"):
            headers["Content-Type"] = kwargs["_content_type"]
        for param, wire, _, _ in operation.header:
            if params.get(param) is not None:
                headers[wire] = params[param]
        query = [(wire, params[param]) for param, wire, _, _ in operation.query
                 if params.get(param) is not None]
        auth_settings = operation.auth
        if kwargs.get("_request_auth"):
            # this request's own credentials instead of the configured ones
            auth_settings = ()
            _apply_request_auth(name, kwargs["_request_auth"], headers, query)
        if body is not None:
            self._check_field_versions(operation, body)
        return self.call_api(
            operation.path, operation.http_method, query_params=query, header_params=headers,
            body=body, post_params=form, response_type=operation.return_type,
            auth_settings=auth_settings, async_req=kwargs.get("async_req"),
            _return_http_data_only=kwargs.get("_return_http_data_only", not with_http_info),
            _preload_content=kwargs.get("_preload_content", True),
            _request_timeout=kwargs.get("_request_timeout"), _safe=operation.safe,
            _deadline=kwargs.get("_deadline"), _operation=name)

    # -- CloudTower versions -------------------------------------------------

    def _check_operation_version(self, operation):
        """Refuse, before anything else, an operation the connected CloudTower lacks."""
        from cloudtower import versions
        if operation.successor is not None:
            # the user's call is five frames up: method, Api._call, call_operation, here
            versions.warn_removed(operation.name, "%s is an older name of %s"
                                  % (operation.name, operation.successor), stacklevel=5)
        elif operation.versions and operation.versions[-1][1] is not None:
            versions.warn_removed(operation.name, "%s was removed in CloudTower %s; it still works "
                                  "with older CloudTowers" % (operation.name,
                                                              versions.removed_in(operation.versions)),
                                  stacklevel=5)
        if not operation.versions:
            return
        index, label = self.cloudtower_version_index()
        if index is not None and not versions.contains(operation.versions, index):
            from cloudtower.exceptions import ApiVersionError
            raise ApiVersionError(versions.needs(operation.name, operation.versions, label),
                                  operation=operation.name, server_version=label,
                                  required=versions.describe(operation.versions))

    def _check_field_versions(self, operation, body):
        """Refuse, before sending, a request field the connected CloudTower lacks,
        and a misspelt key or value (cloudtower.request_check)."""
        from cloudtower import request_check, versions
        fields = list(request_check.walk(operation.body[1], body))
        if not fields:
            return
        index, label = self.cloudtower_version_index()
        if index is None:
            return
        for path, model_name, attr, range_ in fields:
            if not versions.contains(range_, index):
                from cloudtower.exceptions import ApiVersionError
                what = "%s: field `%s` of %s (at %s)" % (operation.name, attr, model_name, path)
                raise ApiVersionError(versions.needs(what, range_, label), operation=operation.name,
                                      field=path, server_version=label,
                                      required=versions.describe(range_))

    def cloudtower_version(self):
        """The connected CloudTower's version: ``Configuration.api_version`` if set,
        else asked of the server once (``GET /get-version``) and kept; None if unknown."""
        return self.cloudtower_version_index()[1]

    def cloudtower_version_index(self):
        """``(index into the known versions, version text)``; ``(None, None)`` if unknown."""
        from cloudtower import versions
        pinned = self.configuration.api_version
        if pinned is not None:
            return versions.index_of(pinned), pinned
        detected = self._detected_version
        if detected is None:
            with self._version_lock:
                detected = self._detected_version
                if detected is None:
                    detected = self._detected_version = self._ask_version()
        return detected

    def _ask_version(self):
        from cloudtower import versions
        try:
            answer = self.call_api("/get-version", "GET", header_params={"Accept": "application/json"},
                                   response_type="str", auth_settings=[], _return_http_data_only=True,
                                   _safe=True)
        except ApiException as error:
            if error.status == 404:
                # /get-version came with CloudTower 2.3.0
                older = versions.known_versions()
                last = max(i for i, v in enumerate(older) if versions.parse(v) < (2, 3, 0))
                return last, "older than 2.3.0"
            if error.status == 0:
                raise
            _log_debug("could not learn the CloudTower version (%s); calls are not checked "
                       "against it", error)
            return None, None
        if versions.parse(answer) is None:
            _log_debug("the CloudTower version %r is not a version; calls are not checked", answer)
            return None, None
        return versions.index_of(answer), answer

    def _form_fields(self, operation, params):
        fields, files = [], []
        for param, wire, type_name, _ in operation.form:
            value = params.get(param)
            if value is None:
                continue
            if type_name == "file":
                files.append((wire, _file_field(param, value)))
            else:
                fields.append((wire, value if isinstance(value, six.string_types) else json.dumps(value)))
        # files last, as the official SDK sends them: a server reading the upload
        # as a stream sees cluster_id, size or upload_task_id before the data
        return fields + files

    # -- openapi-generator compatible surface ------------------------------

    def call_api(self, resource_path, method, path_params=None, query_params=None,
                 header_params=None, body=None, post_params=None, files=None,
                 response_type=None, auth_settings=None, async_req=None,
                 _return_http_data_only=None, collection_formats=None,
                 _preload_content=True, _request_timeout=None, _host=None, _safe=False,
                 _deadline=None, _operation=None):
        """Send a request; with ``async_req=True`` return an ``ApplyResult`` instead.

        ``_deadline`` (seconds; default ``Configuration.deadline``) bounds the
        whole call, counted from now: connecting, sending, every read of the
        answer and every retry.
        """
        args = (resource_path, method, path_params, query_params, header_params, body,
                post_params, files, response_type, auth_settings, _return_http_data_only,
                _preload_content, _request_timeout, _host, _safe, _deadline, _operation,
                self._clock())
        if async_req:
            return self.pool.apply_async(self._call_api, args)
        return self._call_api(*args)

    def _call_api(self, resource_path, method, path_params, query_params, header_params,
                  body, post_params, files, response_type, auth_settings,
                  _return_http_data_only, _preload_content, _request_timeout, _host, _safe,
                  _deadline=None, _operation=None, _submitted=None):
        clock = self._clock
        started = _submitted if _submitted is not None else clock()
        deadline = self._check_options(_request_timeout, _deadline)
        headers = dict(self.default_headers)
        if header_params:
            headers.update(header_params)
        if self.cookie:
            headers["Cookie"] = self.cookie
        _check_headers(headers)
        for key, value in (path_params or {}).items():
            resource_path = resource_path.replace("{%s}" % key, six.moves.urllib.parse.quote(
                str(value), safe=self.configuration.safe_chars_for_path_param))
        if files:
            post_params = list(post_params or []) + self.files_parameters(files)
        url = _endpoint(_host or self.configuration.host) + resource_path
        from cloudtower.rest import ResponseTooLarge, redact_url
        what = "%s %s" % (method, redact_url(url))
        if self._closing:
            raise ApiException(status=0, reason="%s was not sent: the client was closed first" % what)
        deadline_at = None if deadline is None else started + deadline

        reauthenticated = False
        attempts = 0
        while True:
            if deadline_at is not None and clock() >= deadline_at:
                raise ApiException(status=0, reason="%s was not sent: the call's deadline of %s s "
                                   "had passed%s" % (what, _number(deadline),
                                                     _attempts(attempts, clock() - started)))
            generation = self._auth_generation
            self.update_params_for_auth(headers, query_params, auth_settings)
            attempts += 1
            try:
                response = self.request(method, url, query_params=query_params, headers=headers,
                                        post_params=post_params, body=body,
                                        _preload_content=_preload_content,
                                        _request_timeout=_request_timeout,
                                        _deadline_at=deadline_at)
                break
            except ResponseTooLarge:
                raise
            except ApiException as error:
                if error.status == 401 and self.reauthenticate is not None \
                        and not reauthenticated and auth_settings:
                    # a refused token means the server did nothing: log in and repeat once
                    reauthenticated = True
                    if self._reauthenticate_once(generation, deadline_at):
                        continue
                if _safe and error.status in RETRY_STATUSES:
                    if self._may_retry(what, attempts, "%s %s" % (error.status, error.reason),
                                       deadline_at):
                        continue
                    error.reason = "%s%s" % (error.reason, _attempts(attempts, clock() - started))
                raise
            except OpenApiException:
                raise
            except Exception as error:  # transport failures from urllib3, the socket, TLS
                sent = _may_have_been_sent(error)
                late = deadline_at is not None and clock() >= deadline_at - (
                    _DEADLINE_SLACK if _timed_out(error) else 0)
                if (_safe or not sent) and _retriable(error) and not late and self._may_retry(
                        what, attempts, _short(error, url), deadline_at):
                    continue
                raise _transport_error(error, method, url, sent, _safe,
                                       deadline if late else None,
                                       _attempts(attempts, clock() - started))

        if not _preload_content:
            return response
        data = self._deserialize(response, response_type, _operation or what) \
            if response_type else None
        if _return_http_data_only:
            return data
        return data, response.status, response.getheaders()

    def _check_options(self, request_timeout, deadline):
        """Refuse bad settings before anything is sent; the call's deadline in seconds."""
        from cloudtower.rest import check_timeout
        configuration = self.configuration
        if request_timeout is not None:
            check_timeout(request_timeout)
        else:
            check_timeout(configuration.timeout, "Configuration.timeout")
        if deadline is None:
            deadline = getattr(configuration, "deadline", None)
            _check_seconds(deadline, "Configuration.deadline")
        else:
            _check_seconds(deadline, "_deadline")
        retries = configuration.retries
        if isinstance(retries, bool) or not isinstance(retries, six.integer_types) or retries < 0:
            raise ApiValueError("Configuration.retries must be a whole number of 0 or more, got %s"
                                % _kind(retries))
        backoff = configuration.retry_backoff
        if isinstance(backoff, bool) or not isinstance(backoff, (six.integer_types, float)) \
                or not 0 <= backoff < float("inf"):
            raise ApiValueError("Configuration.retry_backoff must be seconds (0 or more), got %s"
                                % _kind(backoff))
        limit = getattr(configuration, "max_response_size", None)
        if limit is not None and (isinstance(limit, bool) or
                                  not isinstance(limit, six.integer_types) or limit < 1):
            raise ApiValueError("Configuration.max_response_size must be a number of bytes above 0 "
                                "or None, got %s" % _kind(limit))
        return deadline

    def _may_retry(self, what, attempts, reason, deadline_at):
        """Wait before the next attempt and say so; False when none is left."""
        retries = self.configuration.retries
        if attempts > retries:
            return False
        delay = min(self.configuration.retry_backoff * (2 ** (attempts - 1)), 5.0)
        import random  # here, not at import time: most calls never retry
        delay *= 0.5 + random.random()
        if deadline_at is not None and self._clock() + delay >= deadline_at:
            return False
        import logging
        logging.getLogger("cloudtower").warning(
            "%s: attempt %d of %d failed (%s); retrying in %.2f s", what, attempts, retries + 1,
            reason, delay)
        self._sleep(delay)
        return True

    def _reauthenticate_once(self, generation, deadline_at):
        """After a 401 for a token of ``generation``: True to send again with a new token.

        The first thread to meet an expired token logs in again; the others
        that met the same token wait for it (within their deadline) and use
        the token it got.
        """
        relogin = self._relogin
        with relogin:
            while self._relogin_running:
                remaining = None if deadline_at is None else deadline_at - self._clock()
                if remaining is not None and remaining <= 0:
                    return False
                relogin.wait(remaining)
            if self._auth_generation != generation:
                return True  # someone logged in again after this call's token was taken
            if self._relogin_outcome == (generation, False):
                return False  # logging in again already failed for this token
            self._relogin_running = True
        succeeded = False
        try:
            succeeded = bool(self.reauthenticate())
        finally:
            with relogin:
                self._relogin_running = False
                self._relogin_outcome = (generation, succeeded)
                if succeeded:
                    self._auth_generation += 1
                relogin.notify_all()
        return succeeded

    def request(self, method, url, query_params=None, headers=None, post_params=None,
                body=None, _preload_content=True, _request_timeout=None, _deadline_at=None):
        """Send one HTTP request through the connection pool (``_deadline_at``: a
        time of ``ApiClient._clock`` when it must have ended)."""
        if method not in ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"):
            raise ApiValueError("http method must be GET, HEAD, OPTIONS, POST, PATCH, PUT or DELETE")
        return self.rest_client.request(method, url, query_params=query_params, headers=headers,
                                        post_params=post_params, body=body,
                                        _preload_content=_preload_content,
                                        _request_timeout=_request_timeout,
                                        _deadline_at=_deadline_at, _clock=self._clock)

    def update_params_for_auth(self, headers, queries, auth_settings):
        if not auth_settings:
            return
        settings = self.configuration.auth_settings()
        for name in auth_settings:
            setting = settings.get(name)
            if not setting:
                continue
            if setting["in"] == "header":
                headers[setting["key"]] = setting["value"]
            elif setting["in"] == "query" and queries is not None:
                queries.append((setting["key"], setting["value"]))

    def sanitize_for_serialization(self, obj):
        """Request data (dicts, lists, models in any mix) as JSON-ready data."""
        return _model.sanitize(obj)

    def deserialize(self, response, response_type):
        """Turn a ``RESTResponse`` into ``response_type`` (``list[Vm]``, ``Task`` ...).

        An answer of another shape (an object where a list is declared, a
        number, ``null``, an empty body) raises ``ApiException``.
        """
        return self._deserialize(response, response_type, None)

    def _deserialize(self, response, response_type, what):
        if response_type == "file":
            return self._deserialize_file(response)
        raw = response.data
        if raw is None or raw == b"" or raw == "":
            raise _wrong_shape(response, response_type, what, "an empty body")
        if nested_too_deeply(raw):
            error = ApiException(http_resp=response)
            error.reason = "the response is nested too deeply to read"
            raise error
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            if response_type == "str":
                return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            error = ApiException(http_resp=response)
            error.reason = "the response is not valid JSON (expected %s)" % response_type
            raise error
        except RecursionError_:
            error = ApiException(http_resp=response)
            error.reason = "the response is nested too deeply to read"
            raise error
        problem = _shape_problem(data, response_type)
        if problem == "text":
            # a text answer (a CSV, a version) that happens to read as a JSON number
            return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if problem is not None:
            raise _wrong_shape(response, response_type, what, problem)
        return self._convert(data, response_type, owned=True)

    def deserialize_data(self, data, response_type):
        """Turn decoded JSON into ``response_type`` (``data`` is left as it was)."""
        return self._convert(data, response_type, owned=False)

    def _convert(self, data, response_type, owned):
        if response_type is None or data is None:
            return data
        convert = _model.converter(response_type, owned)
        if convert is None:
            return data
        # The garbage collector is left alone: pausing it here (and freezing
        # what was built) was faster, but changes the caller's whole process:
        # other threads, and every young object of the program aged at once
        # (docs/benchmarks.md has the cost).
        try:
            result = convert(data)
        except RecursionError_:
            raise ApiValueError("the response is nested too deeply to read as %s" % response_type)
        if type(result) is list and response_type.startswith("list["):
            # a list subclass that IPython and Jupyter show as a table
            result = _model.ModelList(result)
        return result

    def _deserialize_file(self, response):
        import tempfile
        fd, path = tempfile.mkstemp(dir=self.configuration.temp_folder_path)
        os.close(fd)
        os.remove(path)
        disposition = response.getheader("Content-Disposition")
        if disposition:
            import re
            match = re.search(r'filename=[\'"]?([^\'"\s]+)[\'"]?', disposition)
            if match:
                path = os.path.join(os.path.dirname(path), os.path.basename(match.group(1)))
        with open(path, "wb") as handle:
            handle.write(response.data)
        return path

    def files_parameters(self, files=None):
        """``{field: path or [paths]}`` -> multipart file tuples."""
        params = []
        for key, value in (files or {}).items():
            for item in value if isinstance(value, list) else [value]:
                params.append((key, _file_field(key, item)))
        return params

    def select_header_accept(self, accepts):
        if not accepts:
            return None
        for accept in accepts:
            if accept.lower() == "application/json":
                return accept
        return ", ".join(accepts)

    def select_header_content_type(self, content_types, method=None, body=None):
        if not content_types:
            return "application/json"
        for content_type in content_types:
            if content_type.lower() == "application/json":
                return content_type
        return content_types[0]


def _check_body_type(name, param, type_name, value):
    wants_list = type_name.startswith("list[")
    if wants_list and not isinstance(value, (list, tuple)):
        raise ApiTypeError("Invalid type for parameter `%s` of %s: expected a list of %s, got %s"
                           % (param, name, type_name[5:-1], type(value).__name__))
    if not wants_list and not isinstance(value, (dict, _model.Model)):
        raise ApiTypeError("Invalid type for parameter `%s` of %s: expected %s or a dict, got %s"
                           % (param, name, type_name, type(value).__name__))


def _number(value):
    return ("%g" % value) if isinstance(value, float) else str(value)


def _attempts(count, seconds):
    if not count:
        return ""
    return " (%d attempt%s over %.1f s)" % (count, "" if count == 1 else "s", seconds)


def _kind(value):
    """A value as the type it has (a value may be a secret; a number is shown)."""
    if isinstance(value, (six.integer_types, float)) and not isinstance(value, bool):
        return repr(value)
    return "a value of type %s" % type(value).__name__


def _check_seconds(value, name):
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (six.integer_types, float)) \
            or not 0 < value < float("inf"):
        raise ApiValueError("%s must be a number of seconds above 0 (or None: no limit), got %s"
                            % (name, _kind(value)))


def _check_headers(headers):
    """Refuse, before sending, a header that would be cut into two or is not text."""
    for key, value in headers.items():
        if not isinstance(key, six.string_types):
            raise ApiTypeError("a header name must be text, got %s" % _kind(key))
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, six.string_types + (bytes,) +
                                                     six.integer_types):
            raise ApiTypeError("header `%s` must be text, got %s" % (key, _kind(value)))
        text = value if isinstance(value, six.string_types) else (
            value.decode("latin-1") if isinstance(value, bytes) else str(value))
        if any(bad in text or bad in key for bad in ("\r", "\n", "\0")):
            raise ApiValueError("header `%s` contains a line break or a NUL character; "
                                "nothing was sent" % key)
        if key != key.strip() or not key or ":" in key or " " in key:
            raise ApiValueError("header name %r is not a valid HTTP header name" % key)


_SHAPES = {"str": (six.string_types, "a string"), "int": (six.integer_types, "a whole number"),
           "float": (six.integer_types + (float,), "a number"), "bool": ((bool,), "true or false"),
           "datetime": (six.string_types, "a date-time string"),
           "date": (six.string_types, "a date string")}


def _shape_problem(data, response_type):
    """None when ``data`` (decoded JSON) has the shape ``response_type`` declares,
    "text" for a text answer, else a description of what it is."""
    if response_type is None or response_type == "object":
        return None
    if response_type.startswith("list["):
        expected = isinstance(data, list)
    elif response_type.startswith("dict("):
        expected = isinstance(data, dict)
    elif response_type in _SHAPES:
        types = _SHAPES[response_type][0]
        expected = isinstance(data, types) and (response_type == "bool" or not isinstance(data, bool))
        if not expected and response_type == "str" and isinstance(data, (bool, float) +
                                                                  six.integer_types):
            return "text"
    else:
        cls = _model.model_class(response_type)
        if cls is not None and _model.is_enum(cls):
            expected = isinstance(data, six.string_types)
        else:
            expected = isinstance(data, dict)
    if expected:
        return None
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "a boolean"
    if isinstance(data, (float,) + six.integer_types):
        return "a number"
    if isinstance(data, six.string_types):
        return "a string"
    return "a list" if isinstance(data, list) else "an object"


def _expected(response_type):
    if response_type.startswith("list["):
        return "a list (%s)" % response_type
    if response_type.startswith("dict("):
        return "an object (%s)" % response_type
    if response_type in _SHAPES:
        return "%s (%s)" % (_SHAPES[response_type][1], response_type)
    return "an object (%s)" % response_type


def _wrong_shape(response, response_type, what, got):
    error = ApiException(http_resp=response)
    raw = response.data or b""
    start = raw[:200].decode("utf-8", "replace") if isinstance(raw, bytes) else raw[:200]
    error.reason = "%s: the answer is not %s but %s%s" % (
        what or "the call", _expected(response_type), got,
        (": %s%s" % (start, "..." if len(raw) > 200 else "")) if raw else "")
    return error


def _log_debug(message, *args):
    import logging
    logging.getLogger("cloudtower").debug(message, *args)


# the options users reach for under other names
_OPTION_HINTS = {
    "timeout": "for a time limit, pass _request_timeout=SECONDS (each request) or "
               "_deadline=SECONDS (the whole call, retries included)",
    "request_timeout": "the option is spelled _request_timeout",
    "deadline": "the option is spelled _deadline",
    "headers": "extra headers go in _headers={...}",
    "async": "the option is spelled async_req=True",
    "language": "the option is spelled content_language",
}


def _keyword_hint(key, operation):
    hint = _OPTION_HINTS.get(key.lstrip("_"))
    if hint is None:
        from cloudtower._spelling import suggestion
        best = suggestion(key, sorted(operation.accepted | COMMON_KWARGS))
        hint = "did you mean %s?" % best if best else None
    return "; %s" % hint if hint else ""


def _endpoint(host):
    """The host without a trailing slash; a clear error for one urllib3 cannot use."""
    if not isinstance(host, six.string_types) or "://" not in host:
        raise ApiValueError("Configuration.host must be a URL with its scheme, such as "
                            "\"http://tower.example.com/v2/api\"; got %r" % (_without_userinfo(host),))
    scheme = host.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise ApiValueError("Configuration.host must start with http:// or https://; got %r"
                            % (_without_userinfo(host),))
    return host.rstrip("/")


def _without_userinfo(host):
    """``user:password@`` of a host masked, for messages."""
    if not isinstance(host, six.string_types):
        return host
    import re
    return re.sub(r"^((?:[a-zA-Z][\w+.-]*://)?)[^/@]*@", r"\1<redacted>@", host)


def _apply_request_auth(name, auth, headers, query):
    """``_request_auth={"in": "header"|"query", "key": ..., "value": ...}`` for one request."""
    if not isinstance(auth, dict) or auth.get("in") not in ("header", "query") or not auth.get("key"):
        raise ApiValueError("_request_auth of %s must be a dict with \"in\" (\"header\" or \"query\"), "
                            "\"key\" and \"value\"" % name)
    if auth["in"] == "header":
        headers[auth["key"]] = auth.get("value")
    else:
        query.append((auth["key"], auth.get("value")))


def _file_field(param, value):
    """A multipart file from a path, an open file, bytes, or a (name, data[, type]) tuple."""
    import mimetypes  # only uploads need it
    if isinstance(value, tuple):
        if len(value) == 2:
            return (value[0], value[1], mimetypes.guess_type(value[0])[0] or "application/octet-stream")
        return value
    if isinstance(value, six.string_types):
        if not os.path.isfile(value):
            raise ApiValueError("parameter `%s`: no file at %r" % (param, value))
        with open(value, "rb") as handle:
            data = handle.read()
        filename = os.path.basename(value)
    elif isinstance(value, bytes):
        data, filename = value, param
    elif hasattr(value, "read"):
        data = value.read()
        filename = os.path.basename(getattr(value, "name", param) or param)
    else:
        raise ApiTypeError("parameter `%s` must be a path, a file, bytes or (name, data), got %s"
                           % (param, type(value).__name__))
    return (filename, data, mimetypes.guess_type(filename)[0] or "application/octet-stream")


# what a TLS error says when it happened while the connection was being set up
_HANDSHAKE_WORDS = ("certificate", "handshake", "wrong version number", "unknown protocol",
                    "hostname", "doesn't match", "alert", "unsupported protocol", "no protocols",
                    "ssl: ", "eof occurred in violation")


def _tls_setup_failure(error):
    import urllib3
    if isinstance(error, urllib3.exceptions.MaxRetryError):
        error = error.reason
    if not isinstance(error, urllib3.exceptions.SSLError):
        return False
    text = str(error).lower()
    return any(word in text for word in _HANDSHAKE_WORDS)


def _certificate_refused(error):
    import urllib3
    if isinstance(error, urllib3.exceptions.MaxRetryError):
        error = error.reason
    text = str(error).lower()
    return isinstance(error, urllib3.exceptions.SSLError) and (
        "certificate" in text or "hostname" in text or "doesn't match" in text)


def _may_have_been_sent(error):
    """False only when the request certainly never reached the server."""
    import urllib3
    exceptions = urllib3.exceptions
    if isinstance(error, (exceptions.NewConnectionError, exceptions.ConnectTimeoutError,
                          exceptions.ProxyError)):
        return False  # no connection to CloudTower: not made, or the proxy refused the tunnel
    if isinstance(error, exceptions.MaxRetryError):
        return _may_have_been_sent(error.reason)
    if _tls_setup_failure(error):
        return False  # the TLS handshake comes before the request
    return True


# a socket's timer may fire a moment before the clock reaches the deadline (Python 2
# waits in whole milliseconds): a timeout that close to the deadline is the deadline's
_DEADLINE_SLACK = 0.05


def _timed_out(error):
    import socket

    import urllib3
    if isinstance(error, urllib3.exceptions.MaxRetryError):
        error = error.reason
    return isinstance(error, (urllib3.exceptions.TimeoutError, socket.timeout))


def _retriable(error):
    """False for failures that another attempt would meet again."""
    import urllib3
    if _certificate_refused(error):
        return False
    reason = error.reason if isinstance(error, urllib3.exceptions.MaxRetryError) else error
    if isinstance(reason, urllib3.exceptions.ProxyError) and "tunnel connection failed" in \
            str(reason).lower():
        return False  # the proxy answered, and refused
    return True


def _short(error, url):
    from cloudtower.rest import scrub
    return scrub("%s: %s" % (type(error).__name__, error), url)


def _transport_error(error, method, url, sent, safe, deadline=None, attempts=""):
    import urllib3

    from cloudtower.rest import redact_url, scrub
    shown = redact_url(url)
    detail = scrub(str(error), url)
    if deadline is not None:
        reason = "no complete answer from %s %s within the call's deadline of %s s " \
                 "(Configuration.deadline, or _deadline=)" % (method, shown, _number(deadline))
    elif isinstance(error, urllib3.exceptions.ProxyError) or (
            isinstance(error, urllib3.exceptions.MaxRetryError) and
            isinstance(error.reason, urllib3.exceptions.ProxyError)):
        reason = "the proxy did not open a connection to %s: %s" % (shown, detail)
    elif isinstance(error, urllib3.exceptions.SSLError) or _tls_setup_failure(error):
        reason = "TLS error talking to %s: %s" % (shown, detail)
    elif isinstance(error, urllib3.exceptions.ReadTimeoutError):
        reason = "no answer from %s %s in time (%s)" % (method, shown, detail)
    elif not sent:
        reason = "cannot connect to %s: %s" % (shown, detail)
    else:
        reason = "the connection failed during %s %s: %s" % (method, shown, detail)
    if sent and not safe:
        reason += "; not retried, because the server may have carried it out"
    elif not sent:
        reason += "; nothing was sent"
    result = ApiException(status=0, reason=reason + attempts)
    result.sent = sent  # False: the request never reached CloudTower
    result.__cause__ = error
    return result
