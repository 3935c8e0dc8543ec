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
from cloudtower.exceptions import ApiException, ApiTypeError, ApiValueError, nested_too_deeply
from cloudtower.model import RecursionError_

# Keyword arguments every operation accepts besides its own parameters.
COMMON_KWARGS = frozenset([
    "async_req", "_return_http_data_only", "_preload_content", "_request_timeout",
    "_headers", "_content_type", "_request_auth",
    "content_language", "_host_index",
])
RETRY_STATUSES = frozenset([502, 503, 504])


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

    # -- life cycle --------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    def close(self):
        """End the thread pool and the connections; the client can be used again after."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
            pool.join()
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
                raise ApiTypeError("Got an unexpected keyword argument '%s' to method %s"
                                   % (key, name))
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
            _request_timeout=kwargs.get("_request_timeout"), _safe=operation.safe)

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
        """Refuse, before sending, a request field the connected CloudTower lacks."""
        from cloudtower import versions
        fields = list(versions.versioned_fields(operation.body[1], body))
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
                 _preload_content=True, _request_timeout=None, _host=None, _safe=False):
        """Send a request; with ``async_req=True`` return an ``ApplyResult`` instead."""
        args = (resource_path, method, path_params, query_params, header_params, body,
                post_params, files, response_type, auth_settings, _return_http_data_only,
                _preload_content, _request_timeout, _host, _safe)
        if async_req:
            return self.pool.apply_async(self._call_api, args)
        return self._call_api(*args)

    def _call_api(self, resource_path, method, path_params, query_params, header_params,
                  body, post_params, files, response_type, auth_settings,
                  _return_http_data_only, _preload_content, _request_timeout, _host, _safe):
        headers = dict(self.default_headers)
        if header_params:
            headers.update(header_params)
        if self.cookie:
            headers["Cookie"] = self.cookie
        for key, value in (path_params or {}).items():
            resource_path = resource_path.replace("{%s}" % key, six.moves.urllib.parse.quote(
                str(value), safe=self.configuration.safe_chars_for_path_param))
        if files:
            post_params = list(post_params or []) + self.files_parameters(files)
        url = (_host or self.configuration.host).rstrip("/") + resource_path

        reauthenticated = False
        attempt = 0
        while True:
            self.update_params_for_auth(headers, query_params, auth_settings)
            try:
                response = self.request(method, url, query_params=query_params, headers=headers,
                                        post_params=post_params, body=body,
                                        _preload_content=_preload_content,
                                        _request_timeout=_request_timeout)
                break
            except ApiException as error:
                if error.status == 401 and self.reauthenticate is not None \
                        and not reauthenticated and auth_settings:
                    # a refused token means the server did nothing: log in and repeat once
                    reauthenticated = True
                    if self.reauthenticate():
                        continue
                if _safe and error.status in RETRY_STATUSES and self._may_retry(attempt):
                    attempt += 1
                    continue
                raise
            except Exception as error:  # transport failures from urllib3
                sent = _may_have_been_sent(error)
                if (_safe or not sent) and self._may_retry(attempt):
                    attempt += 1
                    continue
                raise _transport_error(error, method, url, sent, _safe)

        if not _preload_content:
            return response
        data = self.deserialize(response, response_type) if response_type else None
        if _return_http_data_only:
            return data
        return data, response.status, response.getheaders()

    def _may_retry(self, attempt):
        retries = self.configuration.retries
        if not isinstance(retries, six.integer_types) or attempt >= retries:
            return False
        delay = min(self.configuration.retry_backoff * (2 ** attempt), 5.0)
        import random  # here, not at import time: most calls never retry
        time.sleep(delay * (0.5 + random.random()))
        return True

    def request(self, method, url, query_params=None, headers=None, post_params=None,
                body=None, _preload_content=True, _request_timeout=None):
        """Send one HTTP request through the connection pool."""
        if method not in ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"):
            raise ApiValueError("http method must be GET, HEAD, OPTIONS, POST, PATCH, PUT or DELETE")
        return self.rest_client.request(method, url, query_params=query_params, headers=headers,
                                        post_params=post_params, body=body,
                                        _preload_content=_preload_content,
                                        _request_timeout=_request_timeout)

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
        """Turn a ``RESTResponse`` into ``response_type`` (``list[Vm]``, ``Task`` ...)."""
        if response_type == "file":
            return self._deserialize_file(response)
        raw = response.data
        if raw is None or raw == b"" or raw == "":
            return None
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
            return convert(data)
        except RecursionError_:
            raise ApiValueError("the response is nested too deeply to read as %s" % response_type)

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


def _log_debug(message, *args):
    import logging
    logging.getLogger("cloudtower").debug(message, *args)


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


def _may_have_been_sent(error):
    """False only when the request certainly never reached the server."""
    import urllib3
    exceptions = urllib3.exceptions
    if isinstance(error, (exceptions.NewConnectionError, exceptions.ConnectTimeoutError)):
        return False
    if isinstance(error, exceptions.MaxRetryError):
        return _may_have_been_sent(error.reason)
    return True


def _transport_error(error, method, url, sent, safe):
    import urllib3
    if not isinstance(error, (urllib3.exceptions.HTTPError, IOError, OSError)):
        return error
    if isinstance(error, urllib3.exceptions.SSLError):
        reason = "TLS error talking to %s: %s" % (url, error)
    elif isinstance(error, urllib3.exceptions.ReadTimeoutError):
        reason = "no answer from %s %s in time (%s)" % (method, url, error)
    elif not sent:
        reason = "cannot connect to %s: %s" % (url, error)
    else:
        reason = "the connection failed during %s %s: %s" % (method, url, error)
    if sent and not safe:
        reason += "; not retried, because the server may have carried it out"
    result = ApiException(status=0, reason=reason)
    result.__cause__ = error
    return result
