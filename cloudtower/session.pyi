from typing import Any, Dict, Mapping, Optional, Tuple, Union

from cloudtower.api_client import ApiClient
from cloudtower.configuration import Configuration
from cloudtower.exceptions import ApiValueError

DEFAULT_CONFIG_FILE: str
DEFAULT_PROFILE: str
ENVIRONMENT_VARIABLES: Dict[str, str]

class SettingsError(ApiValueError):
    missing: Tuple[str, ...]
    def __init__(self, msg: str, missing: Tuple[str, ...] = ...) -> None: ...

class InsecureConfigFileWarning(UserWarning): ...

def normalize_endpoint(endpoint: str) -> str: ...

class Settings:
    endpoint: Optional[str]
    username: Optional[str]
    password: Optional[str]
    source: Optional[str]
    token: Optional[str]
    ca_bundle: Optional[str]
    insecure: Optional[bool]
    api_version: Optional[str]
    origins: Dict[str, str]
    profile: Optional[str]
    config_file: Optional[str]
    skipped: Tuple[str, ...]
    def __init__(self, values: Mapping[str, Any], origins: Mapping[str, str], profile: Optional[str] = ...,
                 config_file: Optional[str] = ..., skipped: Tuple[str, ...] = ...) -> None: ...
    def check(self) -> None: ...
    def configuration(self) -> Configuration: ...

def read_config_file(path: str) -> Dict[str, Dict[str, str]]: ...
def load_settings(profile: Optional[str] = ..., config_file: Optional[str] = ...,
                  environ: Optional[Mapping[str, str]] = ..., _stacklevel: int = ...,
                  **arguments: Union[str, bool, None]) -> Settings: ...
def connect(profile: Optional[str] = ..., endpoint: Optional[str] = ..., username: Optional[str] = ...,
            password: Optional[str] = ..., source: Optional[str] = ..., token: Optional[str] = ...,
            ca_bundle: Optional[str] = ..., insecure: Optional[bool] = ..., api_version: Optional[str] = ...,
            config_file: Optional[str] = ..., environ: Optional[Mapping[str, str]] = ...,
            pool_threads: int = ..., **options: Any) -> ApiClient: ...
