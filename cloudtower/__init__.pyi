# Type information for the lazily populated ``cloudtower`` namespace.
from cloudtower.api import *  # noqa: F401,F403
from cloudtower.models import *  # noqa: F401,F403
from cloudtower.api_client import ApiClient as ApiClient
from cloudtower.configuration import Configuration as Configuration
from cloudtower.exceptions import (
    ApiAttributeError as ApiAttributeError,
    ApiException as ApiException,
    ApiKeyError as ApiKeyError,
    ApiTypeError as ApiTypeError,
    ApiValueError as ApiValueError,
    OpenApiException as OpenApiException,
)
from cloudtower import api as api, models as models

__version__: str
API_VERSION: str
