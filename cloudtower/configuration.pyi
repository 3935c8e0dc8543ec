from typing import Any, Dict, List, Optional, Tuple, Union

DEFAULT_API_PATH: str
DEFAULT_PROBE_PATH: str

def redact_headers(headers: Optional[Dict[str, str]]) -> Optional[Dict[str, str]]: ...

class Configuration:
    api_key: Dict[str, str]
    api_key_prefix: Dict[str, str]
    refresh_api_key_hook: Any
    username: Optional[str]
    password: Optional[str]
    discard_unknown_keys: bool
    server_index: Optional[int]
    temp_folder_path: Optional[str]
    logger: Dict[str, Any]
    logger_format: str
    verify_ssl: bool
    ssl_ca_cert: Optional[str]
    cert_file: Optional[str]
    key_file: Optional[str]
    assert_hostname: Any
    connection_pool_maxsize: int
    proxy: Optional[str]
    proxy_headers: Optional[Dict[str, str]]
    safe_chars_for_path_param: str
    socket_options: Any
    retries: int
    retry_backoff: float
    timeout: Union[None, float, Tuple[float, float]]
    deadline: Optional[float]
    max_response_size: Optional[int]
    client_side_validation: bool
    api_version: Optional[str]
    debug: bool
    logger_file: Optional[str]
    host: str
    root_url: str
    base_url: str
    scheme: Optional[str]
    api_path: str
    probe_path: str
    probe_url: str
    def __init__(self, host: Optional[str] = ..., api_key: Optional[Dict[str, str]] = ...,
                 api_key_prefix: Optional[Dict[str, str]] = ..., username: Optional[str] = ...,
                 password: Optional[str] = ..., discard_unknown_keys: bool = ...,
                 server_index: Optional[int] = ..., ssl_ca_cert: Optional[str] = ...,
                 api_version: Optional[str] = ..., base_url: Optional[str] = ...,
                 root_url: Optional[str] = ..., api_path: Optional[str] = ...,
                 probe_path: Optional[str] = ..., scheme: Optional[str] = ...) -> None: ...
    @classmethod
    def set_default(cls, default: Optional[Configuration]) -> None: ...
    @classmethod
    def get_default_copy(cls) -> Configuration: ...
    def get_api_key_with_prefix(self, identifier: str, alias: Optional[str] = ...) -> Optional[str]: ...
    def get_basic_auth_token(self) -> str: ...
    def auth_settings(self) -> Dict[str, Dict[str, Any]]: ...
    def get_host_settings(self) -> List[Dict[str, Any]]: ...
    def get_host_from_settings(self, index: Optional[int], variables: Any = ..., servers: Any = ...) -> str: ...
    def to_debug_report(self) -> str: ...
