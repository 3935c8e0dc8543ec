from typing import Any, Callable, Dict, List, Optional, Union

from cloudtower.api_client import ApiClient
from cloudtower.models import UploadTask

CHUNK_SIZE: int
CLOCK_SKEW: int

def upload_elf_image(api_client: ApiClient, path: str, cluster_id: str, name: Optional[str] = ...,
                     description: Optional[str] = ..., *, chunk_size: int = ...,
                     progress: Optional[Callable[[int, int], Any]] = ..., show_progress: bool = ...,
                     retries: int = ..., upload_task_id: Optional[str] = ...) -> UploadTask: ...
def upload_svt_image(api_client: ApiClient, path: str, cluster_id: str, name: Optional[str] = ...,
                     version: Optional[str] = ..., *, chunk_size: int = ...,
                     progress: Optional[Callable[[int, int], Any]] = ..., show_progress: bool = ...,
                     retries: int = ..., upload_task_id: Optional[str] = ...) -> UploadTask: ...
def upload_content_library_image(api_client: ApiClient, path: str, clusters: Union[str, List[str], Dict[str, Any], Any],
                                 name: Optional[str] = ..., description: Optional[str] = ..., *,
                                 chunk_size: int = ..., progress: Optional[Callable[[int, int], Any]] = ...,
                                 show_progress: bool = ..., retries: int = ...,
                                 upload_task_id: Optional[str] = ...) -> UploadTask: ...
def get_svt_image_version(path: str) -> str: ...
