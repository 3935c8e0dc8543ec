# coding: utf-8
"""Connection settings shared by an ``ApiClient`` and everything built on it."""
import copy
import sys
import threading

from cloudtower._version import API_VERSION, __version__

_SECRET_HEADERS = frozenset(["authorization", "proxy-authorization", "cookie", "set-cookie"])
DEFAULT_API_PATH = "/v2/api"
DEFAULT_PROBE_PATH = "/api/healthz"


def _urlparse(url):
    from six.moves.urllib.parse import urlsplit
    return urlsplit(url)


def _clean_path(path, default):
    """``"v2/api/"`` -> ``"/v2/api"``; ``"/"`` or ``""`` -> ``""``; None -> ``default``."""
    if path is None:
        return default
    path = path.strip().strip("/")
    return "/" + path if path else ""


def _join_root(base_url, root_url, scheme):
    """The root URL (scheme, address, optional path prefix; no trailing slash).

    ``root_url`` may be a bare path when ``base_url`` gives the address
    (``base_url="tower.example", root_url="/tower"``); a missing scheme is
    ``scheme``'s when one is given.
    """
    root = (root_url if root_url is not None else base_url).strip()
    if base_url is not None and root_url is not None and "://" not in root \
            and (root.startswith("/") or not root):
        root = base_url.strip().rstrip("/") + ("/" + root.strip("/") if root.strip("/") else "")
    if scheme and "://" not in root:
        root = "%s://%s" % (scheme, root.lstrip("/"))
    parts = _urlparse(root)
    if parts.scheme and parts.netloc:
        return "%s://%s%s" % (parts.scheme, parts.netloc, _clean_path(parts.path, ""))
    return root.rstrip("/")


def _check_text(name, value, allow_none=True):
    """Refuse a setting that is not text (naming it and the type, never the value)."""
    import six
    if (value is None and allow_none) or isinstance(value, six.string_types):
        return
    from cloudtower.exceptions import ApiTypeError
    raise ApiTypeError("Configuration: `%s` must be text%s, got %s"
                       % (name, " or None" if allow_none else "", type(value).__name__))


def _check_mapping(name, value):
    import six
    if not value:
        return
    from cloudtower.exceptions import ApiTypeError
    if not isinstance(value, dict) or not all(isinstance(key, six.string_types) and
                                              isinstance(item, six.string_types)
                                              for key, item in value.items()):
        raise ApiTypeError("Configuration: `%s` must be a dict of text to text, such as "
                           "{\"Authorization\": token}, got %s" % (name, type(value).__name__))


def _redact_url(url):
    """``url`` without the password of its user info."""
    from cloudtower.rest import redact_url  # not at import time: it loads urllib3
    return redact_url(url)


def redact_headers(headers):
    """A copy of ``headers`` with credentials masked, for logs and messages."""
    if not headers:
        return headers
    return dict((key, "<redacted>" if key.lower() in _SECRET_HEADERS else value)
                for key, value in headers.items())


class Configuration(object):
    """Where CloudTower is and how to talk to it.

    :param host: the API endpoint, e.g. ``http://tower.example/v2/api``
    :param api_key: ``{"Authorization": token}``; the login token is sent as
        the raw ``Authorization`` header
    :param api_key_prefix: optional prefix per key (``{"Authorization": "Bearer"}``)
    :param username: user name for the ``login`` helper and HTTP basic auth
    :param password: password for the same

    Other settings are plain attributes: ``verify_ssl`` (on by default, with
    certifi's bundle), ``ssl_ca_cert``, ``cert_file``, ``key_file``,
    ``assert_hostname``, ``proxy``, ``proxy_headers``,
    ``connection_pool_maxsize``, ``retries`` (how many times a read-only call
    is retried after a connection error, a timeout or a 502/503/504; 0 turns
    retrying off), ``retry_backoff`` (seconds before the first retry, doubled
    each time, with jitter), ``timeout`` (the default request timeout in
    seconds: a number, or a ``(connect, read)`` pair; ``None`` waits forever),
    ``deadline`` (seconds one call may take in all, connecting, every read and
    every retry included, however slowly the server sends; default 120;
    ``None``: no limit; ``_deadline=`` overrides it per call),
    ``max_response_size`` (the largest answer read into memory, in bytes;
    default 512 MiB; ``None``: no limit),
    ``client_side_validation``, ``debug`` and ``logger_file``.

    :param root_url: instead of ``host``: scheme and address of the tower,
        ``http://tower.example`` (``base_url`` is the same); ``host`` is then
        ``root_url`` + ``api_path``. ``scheme`` supplies a missing scheme.
    :param api_path: the API under the root, ``/v2/api`` by default
    :param probe_path: the health path under the root, ``/api/healthz`` by
        default (used by ``ActivePassiveApiClient``)

    :param api_version: the CloudTower version the client talks to, e.g.
        ``"4.3.0"``. Left unset, the client asks the server once, when a call
        first depends on it. A call that version lacks raises
        ``ApiVersionError`` before anything is sent.
    """

    _default = None
    _default_lock = threading.Lock()

    def __init__(self, host=None, api_key=None, api_key_prefix=None, username=None,
                 password=None, discard_unknown_keys=False, server_index=None,
                 ssl_ca_cert=None, api_version=None, base_url=None, root_url=None,
                 api_path=None, probe_path=None, scheme=None):
        for name, value in (("host", host), ("username", username), ("password", password),
                            ("base_url", base_url), ("root_url", root_url),
                            ("api_path", api_path), ("probe_path", probe_path),
                            ("scheme", scheme)):
            _check_text(name, value)
        for name, value in (("api_key", api_key), ("api_key_prefix", api_key_prefix)):
            _check_mapping(name, value)
        self._scheme = scheme or None
        self._probe_path = _clean_path(probe_path, DEFAULT_PROBE_PATH)
        self._probe_url = None
        if root_url is not None or base_url is not None:
            self._root_url = _join_root(base_url, root_url, self._scheme)
            self._scheme = _urlparse(self._root_url).scheme or self._scheme
            self._api_path = _clean_path(api_path, DEFAULT_API_PATH)
            self._update_host()
        else:
            self._set_host("http://localhost/v2/api" if host is None else host, api_path)
        self.api_key = dict(api_key) if api_key else {}
        self.api_key_prefix = dict(api_key_prefix) if api_key_prefix else {}
        import logging  # not at import time: importing the SDK should stay cheap
        self.refresh_api_key_hook = None
        self.username = username
        self.password = password
        self.discard_unknown_keys = discard_unknown_keys
        self.server_index = server_index
        self.temp_folder_path = None

        self.logger = {
            "package_logger": logging.getLogger("cloudtower"),
            "urllib3_logger": logging.getLogger("urllib3"),
        }
        self.logger_stream_handler = None
        self.logger_file_handler = None
        self._logger_file = None
        self._logger_format = "%(asctime)s %(levelname)s %(message)s"
        self.logger_formatter = logging.Formatter(self._logger_format)
        self._debug = False

        self.verify_ssl = True
        # None means certifi's bundle, resolved when the first connection opens
        self.ssl_ca_cert = ssl_ca_cert
        self.cert_file = None
        self.key_file = None
        self.assert_hostname = None
        self.connection_pool_maxsize = 8
        self.proxy = None
        self.proxy_headers = None
        self.safe_chars_for_path_param = ""
        self.socket_options = None

        self.retries = 3
        self.retry_backoff = 0.2
        self.timeout = (10.0, 300.0)
        # Two minutes: what a person at a prompt still waits for, and room for
        # the slowest list calls of a large CloudTower plus the retries. A hung
        # CloudTower costs at most this, not the 20 minutes of 4 x 300 s reads.
        self.deadline = 120.0
        self.max_response_size = 512 * 1024 * 1024
        self.client_side_validation = True
        self.api_version = api_version

    @property
    def api_version(self):
        """The pinned CloudTower version (a string such as ``"4.3.0"``), or None."""
        return self._api_version

    @api_version.setter
    def api_version(self, value):
        if value is not None:
            from cloudtower import versions
            from cloudtower.exceptions import ApiValueError
            if versions.parse(value) is None:
                raise ApiValueError("api_version must be a CloudTower version such as \"4.6.0\", "
                                    "got %r" % (value,))
        self._api_version = value

    # -- defaults ----------------------------------------------------------

    @classmethod
    def set_default(cls, default):
        """Make ``default`` the configuration used when none is given."""
        with cls._default_lock:
            cls._default = copy.copy(default) if default is not None else None

    @classmethod
    def get_default_copy(cls):
        """A copy of the default configuration (a new one if none was set)."""
        default = cls._default
        if default is None:
            return Configuration()
        return copy.copy(default)

    @classmethod
    def _shared_default(cls):
        """The default itself, for read-only use (no copy: models call this a lot)."""
        default = cls._default
        if default is None:
            with cls._default_lock:
                if cls._default is None:
                    cls._default = Configuration()
                default = cls._default
        return default

    def __copy__(self):
        # A shallow copy with its own credential dicts: cheap, and changing a
        # token on the copy does not change the original.
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        clone.api_key = dict(self.api_key)
        clone.api_key_prefix = dict(self.api_key_prefix)
        clone.logger = dict(self.logger)
        return clone

    def __deepcopy__(self, memo):
        return self.__copy__()

    # -- logging -----------------------------------------------------------

    @property
    def logger_file(self):
        return self._logger_file

    @logger_file.setter
    def logger_file(self, value):
        import logging
        self._logger_file = value
        if value:
            self.logger_file_handler = logging.FileHandler(value)
            self.logger_file_handler.setFormatter(self.logger_formatter)
            self.logger["package_logger"].addHandler(self.logger_file_handler)

    @property
    def debug(self):
        return self._debug

    @debug.setter
    def debug(self, value):
        # Only our own logger. urllib3's ("urllib3_logger", kept for code written
        # for the official SDK) belongs to the program: its level and handlers
        # are the program's to set. http.client's debug output is never turned
        # on: it would print the Authorization header.
        import logging
        self._debug = bool(value)
        self.logger["package_logger"].setLevel(logging.DEBUG if value else logging.WARNING)

    @property
    def logger_format(self):
        return self._logger_format

    @logger_format.setter
    def logger_format(self, value):
        import logging
        self._logger_format = value
        self.logger_formatter = logging.Formatter(value)

    # -- auth --------------------------------------------------------------

    def get_api_key_with_prefix(self, identifier, alias=None):
        if self.refresh_api_key_hook is not None:
            self.refresh_api_key_hook(self)
        key = self.api_key.get(identifier, self.api_key.get(alias) if alias else None)
        if key:
            prefix = self.api_key_prefix.get(identifier)
            return "%s %s" % (prefix, key) if prefix else key
        return None

    def get_basic_auth_token(self):
        import base64
        raw = "%s:%s" % (self.username or "", self.password or "")
        token = base64.b64encode(raw.encode("utf-8")).decode("ascii")
        return "Basic " + token

    def auth_settings(self):
        settings = {}
        key = self.get_api_key_with_prefix("Authorization")
        if key is not None:
            settings["Authorization"] = {
                "type": "api_key", "in": "header", "key": "Authorization", "value": key,
            }
        if self.username is not None or self.password is not None:
            settings["Basic"] = {
                "type": "basic", "in": "header", "key": "Authorization",
                "value": self.get_basic_auth_token(),
            }
        return settings

    # -- host --------------------------------------------------------------

    @property
    def host(self):
        """The API endpoint: ``root_url`` + ``api_path`` (``http://tower.example/v2/api``)."""
        return self._base_path

    @host.setter
    def host(self, value):
        self._set_host(value, None)
        self.server_index = None

    def _set_host(self, value, api_path):
        _check_text("host", value, allow_none=False)
        value = value.strip()
        if self._scheme and "://" not in value:
            value = "%s://%s" % (self._scheme, value.lstrip("/"))
        parts = _urlparse(value)
        if parts.scheme and parts.netloc:
            self._scheme = parts.scheme
            self._root_url = "%s://%s" % (parts.scheme, parts.netloc)
            self._api_path = _clean_path(parts.path if api_path is None else api_path, "")
            self._update_host()
        else:
            # not a URL: kept as it is, the whole of it the root
            self._root_url = value.rstrip("/")
            self._api_path = _clean_path(api_path, "")
            self._base_path = value

    def _update_host(self):
        self._base_path = self._root_url + self._api_path

    # The parts of ``host``, named as cloudtower-sdk 2.23.0 names them (an
    # active-passive pair is a list of these: see ActivePassiveApiClient).

    @property
    def root_url(self):
        """Scheme, address and port of the CloudTower (``http://tower.example``), no path."""
        return self._root_url

    @root_url.setter
    def root_url(self, value):
        if value is None:
            raise ValueError("root_url cannot be None")
        self._root_url = _join_root(None, value, self._scheme)
        self._scheme = _urlparse(self._root_url).scheme or self._scheme
        self._update_host()

    # 2.23.0 spells it both ways
    base_url = root_url

    @property
    def scheme(self):
        """``http`` or ``https``; setting it changes the scheme of ``root_url``."""
        return self._scheme

    @scheme.setter
    def scheme(self, value):
        self._scheme = value or None
        if value and self._root_url:
            rest = self._root_url.split("://", 1)[-1]
            self._root_url = "%s://%s" % (value, rest.lstrip("/"))
            self._update_host()

    @property
    def api_path(self):
        """Where the API lives under ``root_url`` (default ``/v2/api``)."""
        return self._api_path

    @api_path.setter
    def api_path(self, value):
        self._api_path = _clean_path(value, DEFAULT_API_PATH)
        self._update_host()

    @property
    def probe_path(self):
        """The health path under ``root_url`` (default ``/api/healthz``): 200 from
        the active node of an active-passive pair, 307 from the passive one."""
        return self._probe_path

    @probe_path.setter
    def probe_path(self, value):
        self._probe_path = _clean_path(value, DEFAULT_PROBE_PATH)

    @property
    def probe_url(self):
        """``root_url`` + ``probe_path``, unless set to a URL of its own."""
        if self._probe_url is not None:
            return self._probe_url
        return self._root_url + self._probe_path

    @probe_url.setter
    def probe_url(self, value):
        self._probe_url = value.strip() if value else None

    def get_host_settings(self):
        return [{"url": self._base_path, "description": "CloudTower API endpoint"}]

    def get_host_from_settings(self, index, variables=None, servers=None):
        return self._base_path

    # -- reports -----------------------------------------------------------

    def to_debug_report(self):
        """Facts worth pasting into a bug report (never credentials)."""
        import platform
        # %-formatting, not str.format: on Python 2 a unicode host makes the report
        # unicode instead of failing to encode it as ASCII
        return ("Python SDK Debug Report:\n"
                "OS: %s\n"
                "Python Version: %s\n"
                "Version of the API: %s\n"
                "SDK Package Version: %s\n"
                "Host: %s" % (platform.platform(), sys.version.split()[0], API_VERSION,
                              __version__, _redact_url(self.host)))

    def __repr__(self):
        has_token = bool(self.api_key.get("Authorization"))
        return "<Configuration host=%r token=%s username=%r verify_ssl=%r>" % (
            _redact_url(self.host), "<set>" if has_token else "<none>", self.username, self.verify_ssl)

    __str__ = __repr__
