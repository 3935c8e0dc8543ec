# coding: utf-8
"""Connect in one line: ``client = cloudtower.connect()``.

Where the tower is and who logs in come, setting by setting, from (first
found wins):

1. the arguments of :func:`connect`;
2. the environment: ``CLOUDTOWER_ENDPOINT``, ``CLOUDTOWER_USERNAME``,
   ``CLOUDTOWER_PASSWORD``, ``CLOUDTOWER_USER_SOURCE`` (LOCAL or LDAP),
   ``CLOUDTOWER_TOKEN``, ``CLOUDTOWER_CA_BUNDLE``, ``CLOUDTOWER_INSECURE``,
   ``CLOUDTOWER_API_VERSION``;
3. a profile of the config file (``~/.cloudtower/config``, or
   ``CLOUDTOWER_CONFIG_FILE``; an ini file, one section per profile): the one
   named by ``profile=``, else ``CLOUDTOWER_PROFILE``, else ``[default]``.

Credentials (user name, password, token) are used only with the endpoint they
were given with: a profile's password never goes to an endpoint that the
arguments or the environment chose, unless the profile names that endpoint too.

See docs/authentication.md.
"""
import io
import os
import stat
import warnings

import six

from cloudtower.exceptions import ApiTypeError, ApiValueError

DEFAULT_CONFIG_FILE = os.path.join("~", ".cloudtower", "config")
DEFAULT_PROFILE = "default"
_CONFIG_FILE_VARIABLE = "CLOUDTOWER_CONFIG_FILE"
_PROFILE_VARIABLE = "CLOUDTOWER_PROFILE"

# setting -> environment variable; the same names are the keys of a profile
_ENVIRONMENT = (
    ("endpoint", "CLOUDTOWER_ENDPOINT"),
    ("username", "CLOUDTOWER_USERNAME"),
    ("password", "CLOUDTOWER_PASSWORD"),
    ("source", "CLOUDTOWER_USER_SOURCE"),
    ("token", "CLOUDTOWER_TOKEN"),
    ("ca_bundle", "CLOUDTOWER_CA_BUNDLE"),
    ("insecure", "CLOUDTOWER_INSECURE"),
    ("api_version", "CLOUDTOWER_API_VERSION"),
)
_SETTINGS = tuple(name for name, _ in _ENVIRONMENT)
_VARIABLES = dict(_ENVIRONMENT)
# the settings and the environment variable of each (for tools and documentation)
ENVIRONMENT_VARIABLES = dict(_ENVIRONMENT)
_CREDENTIALS = ("username", "password", "token")
_SECRETS = ("password", "token")
_SOURCES = ("LOCAL", "LDAP")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class SettingsError(ApiValueError):
    """A setting :func:`connect` needs is missing or wrong.

    ``missing`` names the settings that are missing (``("endpoint",)``,
    ``("password",)`` ...), empty when one is wrong rather than missing.
    """

    def __init__(self, msg, missing=()):
        super(SettingsError, self).__init__(msg)
        self.missing = tuple(missing)


class InsecureConfigFileWarning(UserWarning):
    """A config file holding a password or token can be read by other users."""


def normalize_endpoint(endpoint):
    """The API endpoint for what a person would write.

    ``tower.example.com`` -> ``https://tower.example.com/v2/api``;
    ``http://tower.example.com`` -> ``http://tower.example.com/v2/api``; an
    address with a path is kept as it is (without a trailing ``/``).
    """
    from six.moves.urllib.parse import urlsplit
    text = endpoint.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError("endpoint %r is not an http(s) address such as "
                            "https://tower.example.com" % (endpoint,))
    path = parts.path.rstrip("/") or "/v2/api"
    return "%s://%s%s" % (parts.scheme, parts.netloc, path)


class Settings(object):
    """What :func:`connect` uses, each with where it came from.

    Attributes: ``endpoint``, ``username``, ``password``, ``source``,
    ``token``, ``ca_bundle``, ``insecure``, ``api_version`` (None when not
    given); ``origins`` maps each given one to where it came from
    (``"argument"``, ``"environment (CLOUDTOWER_PASSWORD)"``, ``"profile
    [lab] of /home/me/.cloudtower/config"``); ``profile`` and ``config_file``
    are the profile and file read, if any.
    """

    def __init__(self, values, origins, profile=None, config_file=None, skipped=()):
        for name in _SETTINGS:
            setattr(self, name, values.get(name))
        self.origins = dict(origins)
        self.profile = profile
        self.config_file = config_file
        # credentials left out because they came with another endpoint
        self.skipped = tuple(skipped)

    def __repr__(self):
        shown = ", ".join("%s=%r" % (name, "<redacted>" if name in _SECRETS else getattr(self, name))
                          for name in _SETTINGS if getattr(self, name) is not None)
        return "Settings(%s)" % shown

    def check(self):
        """Raise ``SettingsError`` naming what is missing and how to give it."""
        if self.endpoint is None:
            raise SettingsError(
                "no CloudTower endpoint: pass endpoint= to connect(), set CLOUDTOWER_ENDPOINT "
                "(e.g. https://tower.example.com), or name a profile that has `endpoint` "
                "(profile= or CLOUDTOWER_PROFILE) in %s" % (
                    self.config_file or "~/.cloudtower/config (or CLOUDTOWER_CONFIG_FILE)"),
                missing=("endpoint",))
        note = ""
        if self.skipped:
            note = " (%s left out: given for another endpoint than %s)" % (
                ", ".join(self.skipped), self.endpoint)
        if self.token is not None:
            return
        if self.username is None and self.password is None:
            raise SettingsError(
                "no credentials for %s: set CLOUDTOWER_USERNAME and CLOUDTOWER_PASSWORD (or "
                "CLOUDTOWER_TOKEN), pass username= and password= (or token=) to connect()%s%s"
                % (self.endpoint, self._profile_hint("username`, `password"), note),
                missing=("username", "password"))
        for name in ("username", "password"):
            if getattr(self, name) is None:
                what = ("password for user '%s' at" % self.username if name == "password"
                        else "user name for")
                raise SettingsError(
                    "no %s %s: set %s, pass %s= to connect()%s%s" % (
                        what, self.endpoint, _VARIABLES[name], name, self._profile_hint(name),
                        note),
                    missing=(name,))

    def _profile_hint(self, keys):
        if not self.config_file:
            return ", or put them in a profile of ~/.cloudtower/config"
        return ", or put `%s` in profile [%s] of %s" % (keys, self.profile or DEFAULT_PROFILE,
                                                        self.config_file)

    def configuration(self):
        """A ``Configuration`` for these settings (no token yet unless one was given)."""
        from cloudtower.configuration import Configuration
        self.check()
        configuration = Configuration(host=self.endpoint, api_version=self.api_version)
        if self.ca_bundle is not None:
            configuration.ssl_ca_cert = self.ca_bundle
        if self.insecure:
            configuration.verify_ssl = False
        if self.token is not None:
            configuration.api_key["Authorization"] = self.token
        return configuration


def _text(name, value, origin):
    if not isinstance(value, six.string_types):
        # the type only: the value may be a secret
        raise ApiTypeError("connect: `%s` (%s) must be text, got %s"
                           % (name, origin, type(value).__name__))
    return value


def _clean(name, value, origin):
    """One setting as given -> as used; raises ``SettingsError`` for a wrong one."""
    if name == "insecure":
        if isinstance(value, bool):
            return value
        text = _text(name, value, origin).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise SettingsError("`insecure` (%s) must be yes or no (true/false, 1/0), got %r"
                            % (origin, value))
    value = _text(name, value, origin)
    if name == "endpoint":
        return normalize_endpoint(value)
    if name == "source":
        source = value.strip().upper()
        if source not in _SOURCES:
            raise SettingsError("`source` (%s) must be LOCAL or LDAP, got %r" % (origin, value))
        return source
    if name == "ca_bundle":
        path = os.path.expanduser(value.strip())
        if not os.path.isfile(path):
            raise SettingsError("`ca_bundle` (%s): no CA bundle file at %r" % (origin, path))
        return path
    if name in ("username", "api_version"):
        return value.strip()
    return value  # a password or token is used exactly as given


def _environment_values(environ):
    values = {}
    for name, variable in _ENVIRONMENT:
        value = environ.get(variable)
        if value is not None and (value != "" or name in _SECRETS):
            values[name] = (value, "environment (%s)" % variable)
    return values


def _config_path(config_file, environ):
    """(path, whether it was asked for by name)."""
    if config_file is not None:
        return os.path.expanduser(config_file), True
    named = environ.get(_CONFIG_FILE_VARIABLE)
    if named:
        return os.path.expanduser(named), True
    home = environ.get("HOME")
    if home:
        return os.path.join(home, ".cloudtower", "config"), False
    return os.path.expanduser(DEFAULT_CONFIG_FILE), False


def _parser():
    from six.moves import configparser
    return configparser.RawConfigParser()


def read_config_file(path):
    """``{profile: {key: value}}`` of an ini config file (no interpolation:
    a ``%`` in a password stays as it is)."""
    from six.moves import configparser
    parser = _parser()
    try:
        with io.open(path, encoding="utf-8") as handle:
            if hasattr(parser, "read_file"):
                parser.read_file(handle, path)
            else:  # Python 2
                parser.readfp(handle, path)
    except configparser.Error as error:
        raise SettingsError("cannot read the config file %s: %s" % (path, error))
    except (IOError, OSError) as error:
        raise SettingsError("cannot read the config file %s: %s" % (path, error.strerror or error))
    except UnicodeDecodeError as error:
        raise SettingsError("cannot read the config file %s: not UTF-8 (%s)" % (path, error))
    return dict((section, dict(parser.items(section))) for section in parser.sections())


def _warn_if_readable(path, profiles, stacklevel):
    if os.name != "posix":
        return  # other systems' permission bits say nothing about who may read
    holding = sorted(name for name, keys in profiles.items() if any(k in keys for k in _SECRETS))
    if not holding:
        return
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.warn(
            "%s holds a password or token (profile %s) and can be read by other users "
            "(mode %03o); run: chmod 600 %s" % (
                path, ", ".join("[%s]" % name for name in holding), stat.S_IMODE(mode), path),
            InsecureConfigFileWarning, stacklevel=stacklevel + 1)


def _profile_values(profile, config_file, environ, stacklevel):
    """(values, profile name used, file path read or None)."""
    if profile is not None:
        name, named = _text("profile", profile, "argument"), True
    elif environ.get(_PROFILE_VARIABLE):
        name, named = environ[_PROFILE_VARIABLE], True
    else:
        name, named = DEFAULT_PROFILE, False
    path, path_named = _config_path(config_file, environ)
    if not os.path.exists(path):
        if path_named:
            raise SettingsError("no config file at %s (named by %s)" % (
                path, "config_file=" if config_file is not None else _CONFIG_FILE_VARIABLE))
        if named:
            raise SettingsError("profile [%s] was asked for, but there is no config file at %s "
                                "(or name one with %s)" % (name, path, _CONFIG_FILE_VARIABLE))
        return {}, None, None
    profiles = read_config_file(path)
    _warn_if_readable(path, profiles, stacklevel + 1)
    if name not in profiles:
        if named:
            raise SettingsError("no profile [%s] in %s; it has: %s" % (
                name, path, ", ".join("[%s]" % p for p in sorted(profiles)) or "none"))
        return {}, name, path
    origin = "profile [%s] of %s" % (name, path)
    values = {}
    for key, value in profiles[name].items():
        if key not in _VARIABLES:
            raise SettingsError("unknown setting `%s` in %s; known: %s" % (
                key, origin, ", ".join(_SETTINGS)))
        values[key] = (value, origin)
    return values, name, path


def load_settings(profile=None, config_file=None, environ=None, _stacklevel=1, **arguments):
    """The settings :func:`connect` would use, without connecting.

    ``arguments`` are connect()'s: ``endpoint``, ``username``, ``password``,
    ``source``, ``token``, ``ca_bundle``, ``insecure``, ``api_version``;
    ``environ`` is ``os.environ`` unless given. Missing settings are None
    (``Settings.check()`` names them); a wrong one raises ``SettingsError``.
    """
    if environ is None:
        environ = os.environ
    unknown = sorted(set(arguments) - set(_SETTINGS))
    if unknown:
        raise ApiTypeError("connect: unknown argument %s; known: %s" % (
            ", ".join(unknown), ", ".join(_SETTINGS + ("profile", "config_file"))))
    levels = [
        dict((name, (value, "argument")) for name, value in arguments.items() if value is not None),
        _environment_values(environ),
    ]
    profile_values, profile_name, path = _profile_values(profile, config_file, environ,
                                                          _stacklevel + 1)
    levels.append(profile_values)
    values, origins = {}, {}
    endpoints = []
    for level in levels:
        endpoint = level.get("endpoint")
        endpoints.append(None if endpoint is None else _clean("endpoint", *endpoint))
    for name in _SETTINGS:
        if name in _CREDENTIALS:
            continue  # below
        for level in levels:
            if name in level:
                values[name] = _clean(name, *level[name])
                origins[name] = level[name][1]
                break
    skipped = []
    for name in _CREDENTIALS:
        for index, level in enumerate(levels):
            if name not in level:
                continue
            if endpoints[index] is not None and endpoints[index] != values.get("endpoint"):
                # never send one tower's credentials to another
                skipped.append("%s from %s" % (name, level[name][1]))
                continue
            values[name] = _clean(name, *level[name])
            origins[name] = level[name][1]
            break
    if values.get("source") is None:
        values["source"] = "LOCAL"
    return Settings(values, origins, profile_name, path, skipped)


def connect(profile=None, endpoint=None, username=None, password=None, source=None, token=None,
            ca_bundle=None, insecure=None, api_version=None, config_file=None, environ=None,
            pool_threads=1, **options):
    """A logged-in ``ApiClient``, from arguments, the environment or a profile.

    ``with cloudtower.connect() as client:`` (the client closes its
    connections at the end of the block). Each setting is taken from the
    arguments, else the environment (``CLOUDTOWER_ENDPOINT``,
    ``CLOUDTOWER_USERNAME``, ``CLOUDTOWER_PASSWORD``,
    ``CLOUDTOWER_USER_SOURCE``, ``CLOUDTOWER_TOKEN``,
    ``CLOUDTOWER_CA_BUNDLE``, ``CLOUDTOWER_INSECURE``,
    ``CLOUDTOWER_API_VERSION``), else the profile (``profile``, else
    ``CLOUDTOWER_PROFILE``, else ``[default]``) of the config file
    (``config_file``, else ``CLOUDTOWER_CONFIG_FILE``, else
    ``~/.cloudtower/config``).

    With a user name and password the client logs in (and logs in again when
    the session expires). With a token it uses the token as it is, and if a
    user name and password are given too, logs in with them when the token
    is refused. ``options`` are set on the ``Configuration``
    (``timeout=``, ``deadline=``, ``retries=`` ...). Raises ``SettingsError``
    naming what is missing; a refused login raises ``ApiException``.
    """
    settings = load_settings(profile=profile, config_file=config_file, environ=environ,
                             _stacklevel=2, endpoint=endpoint, username=username,
                             password=password, source=source, token=token, ca_bundle=ca_bundle,
                             insecure=insecure, api_version=api_version)
    configuration = settings.configuration()
    for key, value in options.items():
        if key.startswith("_") or not hasattr(configuration, key):
            raise ApiTypeError("connect: unknown argument `%s` (neither a setting nor a "
                               "Configuration attribute)" % key)
        setattr(configuration, key, value)
    from cloudtower.api_client import ApiClient
    client = ApiClient(configuration, pool_threads=pool_threads)
    try:
        _authenticate(client, settings)
    except BaseException:
        client.close()
        raise
    return client


def _authenticate(client, settings):
    from cloudtower.utils import login
    if settings.token is None:
        login(client, settings.username, settings.password, settings.source)
        return
    if settings.username is None or settings.password is None:
        return  # a token alone: a refused token surfaces as the 401 it is

    def reauthenticate():
        # the token was refused: log in with the credentials (login() then
        # installs its own way of logging in again)
        from cloudtower.exceptions import ApiException
        try:
            login(client, settings.username, settings.password, settings.source)
        except ApiException:
            return False
        return True
    client.reauthenticate = reauthenticate
