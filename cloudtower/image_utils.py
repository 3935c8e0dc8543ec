# coding: utf-8
"""From finished upload tasks to the images they produced.

An image upload (see :mod:`cloudtower.upload`) ends with an ``UploadTask``;
the image itself is a separate row that the task only refers to through its
``args``. These functions look those rows up, with the names and return
values of the official SDK's ``cloudtower.image_utils``:
``{upload_task_id: image or None}`` for every upload task of the right kind
that has succeeded (other tasks are logged and left out).
"""
import logging

from cloudtower.upload import get_svt_image_version

logger = logging.getLogger("cloudtower.image_utils")

ELF_IMAGE = "ELF_IMAGE"
CONTENT_LIBRARY_IMAGE = "CONTENT_LIBRARY_IMAGE"
SUCCEEDED = "SUCCESSED"
# local ids per get_elf_images request
QUERY_CHUNK = 100

__all__ = ["get_svt_image_version", "get_elf_image_by_upload_task",
           "get_content_library_image_by_upload_task"]


def _finished_tasks(api_client, request_body, resource_type):
    """The upload tasks matching ``request_body`` that made a ``resource_type`` and succeeded."""
    from cloudtower.api.upload_task_api import UploadTaskApi

    result = []
    for task in UploadTaskApi(api_client).get_upload_tasks(request_body):
        if task.resource_type != resource_type:
            logger.warning("upload task %s uploads a %s, not a %s; skipped",
                           task.id, task.resource_type, resource_type)
        elif task.status != SUCCEEDED:
            logger.warning("upload task %s is %s, not finished; skipped", task.id, task.status)
        else:
            result.append(task)
    return result


def _arg(task, *keys):
    """``task.args[keys[0]][keys[1]]...``, or None where any level is missing."""
    value = task.args
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _first(values):
    if isinstance(values, (list, tuple)) and values:
        return values[0]
    return None


def get_elf_image_by_upload_task(api_client, get_upload_tasks_request_body):
    """``{upload_task_id: ElfImage or None}`` for the ELF image uploads matching the request.

    ``get_upload_tasks_request_body`` is what ``UploadTaskApi.get_upload_tasks``
    takes, e.g. ``{"where": {"id_in": [task.id]}}``. A successful task whose
    image cannot be found (deleted since, or not synchronised yet) maps to None.
    """
    from cloudtower.api.elf_image_api import ElfImageApi

    tasks = _finished_tasks(api_client, get_upload_tasks_request_body, ELF_IMAGE)
    # the task records the image's local id (its uuid on the cluster)
    local_ids = dict((task.id, _arg(task, "attributes", "uuid")) for task in tasks)
    wanted = sorted(set(value for value in local_ids.values() if value))
    images = {}
    image_api = ElfImageApi(api_client)
    # one request per chunk of ids, not one per task
    for start in range(0, len(wanted), QUERY_CHUNK):
        chunk = wanted[start:start + QUERY_CHUNK]
        for image in image_api.get_elf_images({"where": {"local_id_in": chunk}}):
            images[image.local_id] = image
    return dict((task.id, images.get(local_ids[task.id])) for task in tasks)


def get_content_library_image_by_upload_task(api_client, get_upload_tasks_request_body):
    """``{upload_task_id: ContentLibraryImage or None}`` for content-library uploads.

    A content-library image is found through what the upload made on the
    clusters: the ELF image (``uploadElfImageLocalIds``) on an SMTX OS
    cluster, else the iSCSI LUN (``uploadIscsiLunZbsVolumeIds``) on a ZBS one.
    """
    from cloudtower.api.content_library_image_api import ContentLibraryImageApi

    image_api = ContentLibraryImageApi(api_client)
    results = {}
    for task in _finished_tasks(api_client, get_upload_tasks_request_body,
                                CONTENT_LIBRARY_IMAGE):
        elf_local_id = _first(_arg(task, "uploadElfImageLocalIds"))
        zbs_volume_id = _first(_arg(task, "uploadIscsiLunZbsVolumeIds"))
        if elf_local_id:
            where = {"elf_images_some": {"local_id": elf_local_id}}
        elif zbs_volume_id:
            where = {"iscsi_luns_some": {"zbs_volume_id": zbs_volume_id}}
        else:
            logger.warning("upload task %s names no image it produced", task.id)
            results[task.id] = None
            continue
        found = image_api.get_content_library_images({"where": where, "first": 1})
        results[task.id] = found[0] if found else None
    return results
