# coding: utf-8
"""CloudTower Python SDK.

Every API class (``VmApi`` ...), model and enum (``Vm``, ``VmStatus`` ...) of
the CloudTower API is reachable from here; each is imported on first use.
"""
from __future__ import absolute_import

from cloudtower import _lazy
from cloudtower._version import API_VERSION, __version__  # noqa: F401
from cloudtower.api import _REMOVED as _REMOVED_APIS, API_MODULES
from cloudtower.models import MODEL_MODULES

_CORE = {
    "ActivePassiveApiClient": "active_passive_client",
    "ApiClient": "api_client",
    "Configuration": "configuration",
    "OpenApiException": "exceptions",
    "ApiAttributeError": "exceptions",
    "ApiTypeError": "exceptions",
    "ApiValueError": "exceptions",
    "ApiKeyError": "exceptions",
    "ApiException": "exceptions",
    "ApiVersionError": "exceptions",
    "FailoverStrategy": "active_passive_client",
    "connect": "session",
    "InsecureConfigFileWarning": "session",
    "SettingsError": "session",
    "wait_for": "waiters",
    "wait_until": "waiters",
    "WaiterError": "waiters",
}
_SUBMODULES = ("active_passive_client", "api", "api_client", "configuration", "exceptions",
               "models", "rest", "session", "utils", "simulator", "versions", "waiters")

__all__ = sorted(set(_CORE) | set(API_MODULES) | set(MODEL_MODULES))

_sources = [_lazy.FromModules("cloudtower.", _CORE),
            _lazy.FromModules("cloudtower.api.", API_MODULES, _REMOVED_APIS),
            _lazy.from_module("cloudtower.models", MODEL_MODULES)]
del API_MODULES, MODEL_MODULES, _REMOVED_APIS
_lazy.install(__name__, _sources, _SUBMODULES)
