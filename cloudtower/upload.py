# coding: utf-8
"""Chunked image uploads: ELF images, SVT images and content-library images.

CloudTower receives a large file in pieces through one multipart operation:
the first call (without ``upload_task_id``) creates an ``UploadTask`` and
carries the first chunk, every later call carries the next chunk and the
task's id. The task's ``current_chunk`` counts the chunks it has, which is
what a resumed upload starts from.
"""
import datetime
import json
import logging
import os
import time

import six

from cloudtower.exceptions import ApiException, ApiTypeError, ApiValueError

CHUNK_SIZE = 8 * 1024 * 1024
# how far the server's clock may be behind ours when looking for the upload
# task a lost answer created (by its name, size and start time)
CLOCK_SKEW = 300

logger = logging.getLogger("cloudtower.upload")


def upload_elf_image(api_client, path, cluster_id, name=None, description=None, **options):
    """Upload an ISO to a cluster as an ELF image; returns the final ``UploadTask``."""
    _check_path(path)
    from cloudtower.api.elf_image_api import ElfImageApi
    api = ElfImageApi(api_client)
    fields = {"cluster_id": cluster_id, "name": name or os.path.basename(path),
              "description": description}
    return _upload(api.create_elf_image, api_client, path, fields, kind="ELF_IMAGE", **options)


def upload_svt_image(api_client, path, cluster_id, name=None, version=None, **options):
    """Upload a VMTools (SVT) image to a cluster; returns the final ``UploadTask``."""
    _check_path(path)
    from cloudtower.api.svt_image_api import SvtImageApi
    api = SvtImageApi(api_client)
    fields = {"cluster_id": cluster_id, "name": name or os.path.basename(path),
              "version": version if version is not None else get_svt_image_version(path)}
    return _upload(api.upload_svt_image, api_client, path, fields, kind="SVT_IMAGE", **options)


def upload_content_library_image(api_client, path, clusters, name=None, description=None,
                                 **options):
    """Upload an ISO to the content library; returns the final ``UploadTask``.

    ``clusters`` is a list of cluster ids, or a ``ClusterWhereInput`` (dict or
    model) choosing them; the form field carries it as JSON.
    """
    _check_path(path)
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
    return _upload(api.create_content_library_image, api_client, path, fields,
                   kind="CONTENT_LIBRARY_IMAGE", **options)


def _check_path(path):
    if not isinstance(path, six.string_types):
        raise ApiTypeError("upload: `path` must be the path of a file, got %s" % type(path).__name__)
    if not os.path.isfile(path):
        raise ApiValueError("no file to upload at %r" % (path,))


def get_svt_image_version(path):
    """The version string an SVT image carries in its ISO volume descriptor."""
    with open(path, "rb") as handle:
        handle.seek(32 * 1024 + 190)
        return handle.read(128).decode("utf-8", "replace").strip(" \t\r\n\x00")


def _upload(operation, api_client, path, fields, show_progress=False, **options):
    """Send ``path`` in chunks through ``operation`` (see ``_send``).

    ``show_progress=True`` shows how much was sent: a line redrawn on stderr
    (with the elapsed time and the rate) when it is a terminal, else one INFO
    line on the ``cloudtower`` logger each time the whole percent changes.
    """
    reporter = None
    if show_progress and isinstance(path, six.string_types):
        from cloudtower._progress import UploadProgress
        reporter = UploadProgress(os.path.basename(path))
    try:
        return _send(operation, api_client, path, fields, reporter=reporter, **options)
    finally:
        if reporter is not None:
            reporter.close()


def _send(operation, api_client, path, fields, chunk_size=CHUNK_SIZE, progress=None,
          reporter=None, retries=3, upload_task_id=None, kind=None):
    """Send ``path`` in chunks through ``operation``.

    ``progress(sent_bytes, total_bytes)`` is called after each chunk, and
    ``reporter.update(sent_bytes, total_bytes)`` if there is one. A chunk that
    fails with a connection error or a 5xx is retried up to ``retries``
    times, starting from what the server says it has (so a chunk whose answer
    was lost is not sent twice); after that the error says which chunk failed
    and the ``upload_task_id`` to resume with.

    The first chunk creates the upload task. If its answer is lost, the
    request is never sent again: the helper looks for the task it created
    (in the upload-task listing, by kind, name, size and start time) and
    resumes it; if none turns up, it raises, saying that nothing was left behind.
    """
    from cloudtower.utils import _check_callable, _check_client, _check_number
    _check_client("upload", api_client)
    _check_path(path)
    _check_number("upload", "chunk_size", chunk_size, above=True, whole=True)
    _check_number("upload", "retries", retries, whole=True)
    _check_callable("upload", "progress", progress)
    if upload_task_id is not None and not isinstance(upload_task_id, six.string_types):
        raise ApiTypeError("upload: `upload_task_id` must be an upload task id (text), got %s"
                           % type(upload_task_id).__name__)
    total = os.path.getsize(path)
    filename = os.path.basename(path)
    task = None
    offset = 0
    if upload_task_id is not None:
        task = _current_task(api_client, upload_task_id)
        chunk_size = task.chunk_size or chunk_size
        offset = _received(task, chunk_size, total)
    failures = 0
    first = None  # the size of the first chunk, once this helper sent it
    with open(path, "rb") as handle:
        while task is None or offset < total:
            handle.seek(offset)
            chunk = handle.read(chunk_size)
            params = {"file": (filename, chunk)}
            if task is None:
                params.update((k, v) for k, v in fields.items() if v is not None)
                params["size"] = str(total)
                params["size_unit"] = "B"
                sent_at = time.time()
                first = len(chunk)
            else:
                params["upload_task_id"] = task.id
            try:
                result = operation(**params)
            except ApiException as error:
                failures += 1
                if task is None and _may_have_acted(error):
                    # The create may have been carried out: sending it again could
                    # leave a second task UPLOADING forever. Find the one it made.
                    task = _find_created_task(api_client, kind, fields.get("name") or filename,
                                              total, sent_at, retries)
                    if task is None:
                        error.reason = (
                            "uploading %s failed: the answer to its first piece was lost (%s); "
                            "no upload task of that name and size appeared in the upload-task "
                            "listing, so nothing was left behind, and the first piece is not "
                            "sent again (it could create a second task); call again to start "
                            "over" % (filename, error.reason))
                        raise
                    logger.warning("the answer to the first piece of %s was lost (%s); resuming "
                                   "the upload task it created, %s", filename, error.reason, task.id)
                    chunk_size = task.chunk_size or chunk_size
                    offset = _received(task, chunk_size, total, first=first)
                    continue
                if (error.status != 0 and error.status < 500) or failures > retries:
                    hint = "; resume with upload_task_id='%s'" % task.id if task is not None else ""
                    error.reason = "uploading %s failed at bytes %d-%d of %d: %s%s" % (
                        filename, offset, offset + len(chunk), total, error.reason, hint)
                    raise
                time.sleep(min(0.2 * 2 ** failures, 5))
                if task is not None:
                    # the chunk may have arrived before the answer was lost
                    task = _current_task(api_client, task.id)
                    offset = _received(task, chunk_size, total, first=first)
                continue
            task = result[0] if isinstance(result, list) and result else result
            if task is None or isinstance(task, list):
                raise ApiException(status=0, reason="uploading %s: the server answered no upload "
                                                    "task" % filename)
            chunk_size = task.chunk_size or chunk_size  # the server sets later chunks' size
            offset = _received(task, chunk_size, total, offset + len(chunk), first=first)
            if progress is not None:
                progress(offset, total)
            if reporter is not None:
                reporter.update(offset, total)
            if not chunk or getattr(task, "status", None) == "SUCCESSED":
                break
    return task


def _may_have_acted(error):
    """False when the request certainly did not reach the server, or was refused (4xx)."""
    if error.status == 0:
        return getattr(error, "sent", True) is not False
    return error.status >= 500


def _iso(seconds):
    return datetime.datetime.utcfromtimestamp(seconds).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _find_created_task(api_client, kind, name, size, sent_at, retries):
    """The upload task a first piece whose answer was lost created, or None.

    Looks, as a script would, for a task of that kind, size and name started
    since the piece was sent (allowing ``CLOCK_SKEW`` seconds between the
    clocks) that has at most that piece. Asks again ``retries`` times,
    waiting between, in case the server is still at work on it.
    """
    from cloudtower.api.upload_task_api import UploadTaskApi
    api = UploadTaskApi(api_client)
    where = {"size": size, "started_at_gte": _iso(sent_at - CLOCK_SKEW)}
    if kind:
        where["resource_type"] = kind
    for attempt in range(max(retries, 0) + 1):
        if attempt:
            time.sleep(min(0.2 * 2 ** attempt, 5))
        try:
            tasks = api.get_upload_tasks({"where": where, "orderBy": "started_at_DESC"})
        except ApiException as error:
            logger.warning("looking for the upload task of %s failed: %s", name, error.reason)
            continue
        found = [task for task in tasks if isinstance(task.args, dict) and
                 task.args.get("name") == name and (task.current_chunk or 0) <= 1]
        if found:
            if len(found) > 1:
                logger.warning("%d upload tasks of %s (%d bytes) started together; resuming the "
                               "newest, %s; the others are left as they are: %s", len(found),
                               name, size, found[0].id, ", ".join(t.id for t in found[1:]))
            return found[0]
    return None


def _received(task, chunk_size, total, fallback=None, first=None):
    """How many bytes the server has, from the task's chunk count: the first
    chunk (``first`` bytes, when this helper sent it) and ``chunk_size`` for
    each after it."""
    if task.current_chunk is None:
        return fallback if fallback is not None else 0
    if task.current_chunk <= 0:
        return 0
    first = chunk_size if first is None else first
    return min(total, first + (task.current_chunk - 1) * chunk_size)


def _current_task(api_client, upload_task_id):
    from cloudtower.api.upload_task_api import UploadTaskApi
    tasks = UploadTaskApi(api_client).get_upload_tasks({"where": {"id": upload_task_id}})
    if not tasks:
        raise ApiValueError("no upload task %r to resume" % (upload_task_id,))
    return tasks[0]
