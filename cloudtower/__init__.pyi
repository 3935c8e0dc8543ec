# Type information for the lazily populated ``cloudtower`` namespace.
from cloudtower import api as api, models as models
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

__version__: str
API_VERSION: str
