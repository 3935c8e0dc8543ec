# coding: utf-8
"""Chunked image uploads: ELF images, SVT images and content-library images.

CloudTower receives a large file in pieces through one multipart operation:
the first call (without ``upload_task_id``) creates an ``UploadTask`` and
carries the first chunk, every later call carries the next chunk and the
task's id. The task's ``current_chunk`` counts the chunks it has, which is
what a resumed upload starts from.
"""
import json
import os
import sys
import time

import six

from cloudtower.exceptions import ApiException, ApiValueError

CHUNK_SIZE = 8 * 1024 * 1024


def upload_elf_image(api_client, path, cluster_id, name=None, description=None, **options):
    """Upload an ISO to a cluster as an ELF image; returns the final ``UploadTask``."""
    from cloudtower.api.elf_image_api import ElfImageApi
    api = ElfImageApi(api_client)
    fields = {"cluster_id": cluster_id, "name": name or os.path.basename(path),
              "description": description}
    return _upload(api.create_elf_image, api_client, path, fields, **options)


def upload_svt_image(api_client, path, cluster_id, name=None, version=None, **options):
    """Upload a VMTools (SVT) image to a cluster; returns the final ``UploadTask``."""
    from cloudtower.api.svt_image_api import SvtImageApi
    api = SvtImageApi(api_client)
    fields = {"cluster_id": cluster_id, "name": name or os.path.basename(path),
              "version": version if version is not None else get_svt_image_version(path)}
    return _upload(api.upload_svt_image, api_client, path, fields, **options)


def upload_content_library_image(api_client, path, clusters, name=None, description=None,
                                 **options):
    """Upload an ISO to the content library; returns the final ``UploadTask``.

    ``clusters`` is a list of cluster ids, or a ``ClusterWhereInput`` (dict or
    model) choosing them; the form field carries it as JSON.
    """
    from cloudtower.api.content_library_image_api import ContentLibraryImageApi
    from cloudtower.model import sanitize
    api = ContentLibraryImageApi(api_client)
    if isinstance(clusters, six.string_types):
        where = {"id_in": [clusters]}
    elif isinstance(clusters, (list, tuple)):
        where = {"id_in": list(clusters)}
    else:
        where = sanitize(clusters)
    fields = {"clusters": json.dumps(where), "name": name or os.path.basename(path),
              "description": description}
    return _upload(api.create_content_library_image, api_client, path, fields, **options)


def get_svt_image_version(path):
    """The version string an SVT image carries in its ISO volume descriptor."""
    with open(path, "rb") as handle:
        handle.seek(32 * 1024 + 190)
        return handle.read(128).decode("utf-8", "replace").strip(" \t\r\n\x00")


def _upload(operation, api_client, path, fields, chunk_size=CHUNK_SIZE, progress=None,
            show_progress=False, retries=3, upload_task_id=None):
    """Send ``path`` in chunks through ``operation``.

    ``progress(sent_bytes, total_bytes)`` is called after each chunk;
    ``show_progress=True`` prints a progress line to stderr. A chunk that
    fails with a connection error or a 5xx is retried up to ``retries``
    times, starting from what the server says it has (so a chunk whose answer
    was lost is not sent twice); after that the error says which chunk failed
    and the ``upload_task_id`` to resume with.
    """
    if not os.path.isfile(path):
        raise ApiValueError("no file to upload at %r" % (path,))
    if chunk_size < 1:
        raise ApiValueError("chunk_size must be positive, got %r" % (chunk_size,))
    total = os.path.getsize(path)
    filename = os.path.basename(path)
    task = None
    offset = 0
    if upload_task_id is not None:
        task = _current_task(api_client, upload_task_id)
        chunk_size = task.chunk_size or chunk_size
        offset = _received(task, chunk_size, total)
    failures = 0
    with open(path, "rb") as handle:
        while task is None or offset < total:
            handle.seek(offset)
            chunk = handle.read(chunk_size)
            params = {"file": (filename, chunk)}
            if task is None:
                params.update((k, v) for k, v in fields.items() if v is not None)
                params["size"] = str(total)
                params["size_unit"] = "B"
            else:
                params["upload_task_id"] = task.id
            try:
                result = operation(**params)
            except ApiException as error:
                failures += 1
                if (error.status != 0 and error.status < 500) or failures > retries:
                    hint = "; resume with upload_task_id='%s'" % task.id if task is not None else ""
                    error.reason = "uploading %s failed at bytes %d-%d of %d: %s%s" % (
                        filename, offset, offset + len(chunk), total, error.reason, hint)
                    raise
                time.sleep(min(0.2 * 2 ** failures, 5))
                if task is not None:
                    # the chunk may have arrived before the answer was lost
                    task = _current_task(api_client, task.id)
                    offset = _received(task, chunk_size, total)
                continue
            task = result[0] if isinstance(result, list) else result
            chunk_size = task.chunk_size or chunk_size  # the server sets later chunks' size
            offset = _received(task, chunk_size, total, offset + len(chunk))
            if progress is not None:
                progress(offset, total)
            if show_progress:
                sys.stderr.write("\r%s: %d%% (%d of %d bytes)" % (
                    filename, 100 * offset // max(total, 1), offset, total))
                sys.stderr.flush()
            if not chunk:
                break
    if show_progress:
        sys.stderr.write("\n")
    return task


def _received(task, chunk_size, total, fallback=None):
    """How many bytes the server has, from the task's chunk count."""
    if task.current_chunk is None:
        return fallback if fallback is not None else 0
    return min(total, task.current_chunk * chunk_size)


def _current_task(api_client, upload_task_id):
    from cloudtower.api.upload_task_api import UploadTaskApi
    tasks = UploadTaskApi(api_client).get_upload_tasks({"where": {"id": upload_task_id}})
    if not tasks:
        raise ApiValueError("no upload task %r to resume" % (upload_task_id,))
    return tasks[0]
