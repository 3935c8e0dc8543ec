# Type information for the lazily populated ``cloudtower`` namespace.
from cloudtower import (
    active_passive_client as active_passive_client,
    api as api,
    models as models,
    session as session,
    waiters as waiters,
)
from cloudtower.active_passive_client import (
    ActivePassiveApiClient as ActivePassiveApiClient,
    FailoverStrategy as FailoverStrategy,
)
from cloudtower.api import *  # noqa: F403
from cloudtower.api_client import ApiClient as ApiClient
from cloudtower.configuration import Configuration as Configuration
from cloudtower.exceptions import (
    ApiAttributeError as ApiAttributeError,
    ApiException as ApiException,
    ApiKeyError as ApiKeyError,
    ApiTypeError as ApiTypeError,
    ApiValueError as ApiValueError,
    ApiVersionError as ApiVersionError,
    OpenApiException as OpenApiException,
)
from cloudtower.models import *  # noqa: F403
from cloudtower.session import (
    InsecureConfigFileWarning as InsecureConfigFileWarning,
    SettingsError as SettingsError,
    connect as connect,
)
from cloudtower.waiters import (
    WaiterError as WaiterError,
    wait_for as wait_for,
    wait_until as wait_until,
)

__version__: str
API_VERSION: str
