from typing import Any, Dict, Optional

from cloudtower.api_client import ApiClient
from cloudtower.models import ContentLibraryImage, ElfImage

__all__ = ["get_svt_image_version", "get_elf_image_by_upload_task",
           "get_content_library_image_by_upload_task"]

def get_svt_image_version(path: str) -> str: ...
def get_elf_image_by_upload_task(api_client: ApiClient,
                                 get_upload_tasks_request_body: Any) -> Dict[str, Optional[ElfImage]]: ...
def get_content_library_image_by_upload_task(
        api_client: ApiClient,
        get_upload_tasks_request_body: Any) -> Dict[str, Optional[ContentLibraryImage]]: ...
