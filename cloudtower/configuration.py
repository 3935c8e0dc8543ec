# coding: utf-8
"""Connection settings shared by an ``ApiClient`` and everything built on it."""
import copy
import sys
import threading

from cloudtower._version import API_VERSION, __version__

_SECRET_HEADERS = frozenset(["authorization", "proxy-authorization", "cookie", "set-cookie"])


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
    ``client_side_validation``, ``debug`` and ``logger_file``.

    :param api_version: the CloudTower version the client talks to, e.g.
        ``"4.3.0"``. Left unset, the client asks the server once, when a call
        first depends on it. A call that version lacks raises
        ``ApiVersionError`` before anything is sent.
    """

    _default = None
    _default_lock = threading.Lock()

    def __init__(self, host=None, api_key=None, api_key_prefix=None, username=None,
                 password=None, discard_unknown_keys=False, server_index=None,
                 ssl_ca_cert=None, api_version=None):
        self._base_path = "http://localhost/v2/api" if host is None else host
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
        return self._base_path

    @host.setter
    def host(self, value):
        self._base_path = value
        self.server_index = None

    def get_host_settings(self):
        return [{"url": self._base_path, "description": "CloudTower API endpoint"}]

    def get_host_from_settings(self, index, variables=None, servers=None):
        return self._base_path

    # -- reports -----------------------------------------------------------

    def to_debug_report(self):
        """Facts worth pasting into a bug report (never credentials)."""
        import platform
        return (
            "Python SDK Debug Report:\n"
            "OS: {os}\n"
            "Python Version: {py}\n"
            "Version of the API: {api}\n"
            "SDK Package Version: {sdk}\n"
            "Host: {host}".format(os=platform.platform(), py=sys.version.split()[0],
                                  api=API_VERSION, sdk=__version__, host=self.host)
        )

    def __repr__(self):
        has_token = bool(self.api_key.get("Authorization"))
        return "<Configuration host=%r token=%s username=%r verify_ssl=%r>" % (
            self.host, "<set>" if has_token else "<none>", self.username, self.verify_ssl)

    __str__ = __repr__
