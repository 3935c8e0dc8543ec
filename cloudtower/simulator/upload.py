# coding: utf-8
"""Chunked uploads: ELF images, SVT images, content library images, packages.

The first request carries the first chunk (multipart field ``file``) and the
whole size (``size`` + ``size_unit``, default bytes; without it the upload is
that one chunk). It creates an ``UploadTask`` (``UPLOADING``,
``chunk_size`` = 8 MiB, ``current_chunk`` = 1). Each further chunk names the
task with ``upload_task_id``. When all bytes have arrived the task turns
``SUCCESSED`` and the resource appears: an ``ElfImage`` whose ``local_id`` is
also ``args.attributes.uuid`` of the task (for a content library image,
``args.uploadElfImageLocalIds``). A chunk larger than ``chunk_size``, more
bytes than announced, an unknown or finished task answer 400.
"""
import json

import six

from cloudtower.simulator import limits, validate
from cloudtower.simulator.errors import bad_request
from cloudtower.simulator.handlers import BYTE_UNITS, handles

CHUNK_SIZE = 8 * 1024 * 1024

_KINDS = {
    "create_elf_image": "ELF_IMAGE",
    "upload_svt_image": "SVT_IMAGE",
    "create_content_library_image": "CONTENT_LIBRARY_IMAGE",
    "upload_cloud_tower_application_package": "CLOUDTOWER_APPLICATION_PACKAGE",
    "upload_elf_file": "VM_VOLUME_RAW",
}


def _size(form, chunk):
    raw = form.get("size")
    if raw in (None, ""):
        return len(chunk)
    try:
        size = float(raw)
    except ValueError:
        raise bad_request("form field size must be a number, got %r" % raw, "size")
    unit = form.get("size_unit") or "B"
    if unit not in BYTE_UNITS:
        raise bad_request("form field size_unit must be one of %s, got %r"
                          % (", ".join(sorted(BYTE_UNITS)), unit), "size_unit")
    total = int(size * BYTE_UNITS[unit])
    if total <= 0:
        raise bad_request("form field size must be above 0", "size")
    return total


def _clusters(store, kind, form):
    if kind == "CONTENT_LIBRARY_IMAGE":
        raw = form.get("clusters")
        try:
            limits.check_depth(raw or "", "form field clusters")
            where = json.loads(raw) if raw else None
        except ValueError:
            raise bad_request("form field clusters must be a JSON ClusterWhereInput", "clusters")
        validate.check("ClusterWhereInput", where, "clusters")
        found = store.find("Cluster", where, path="clusters")
        if not found:
            raise bad_request("form field clusters matches no cluster", "clusters")
        return [c["id"] for c in found]
    cluster_id = form.get("cluster_id")
    if kind in ("ELF_IMAGE", "SVT_IMAGE", "VM_VOLUME_RAW"):
        if not cluster_id:
            raise bad_request("form field cluster_id is required", "cluster_id")
        if store.get("Cluster", cluster_id) is None:
            raise bad_request("cluster %s does not exist" % cluster_id, "cluster_id")
        return [cluster_id]
    return []


def _start(ctx, kind, form, filename, chunk):
    store = ctx.store
    clusters = _clusters(store, kind, form)
    size = _size(form, chunk)
    name = form.get("name") or filename or "upload"
    local_ids = [store.new_uuid() for _ in clusters] or [store.new_uuid()]
    args = {"name": name, "description": form.get("description") or "",
            "cluster_ids": clusters, "attributes": {"uuid": local_ids[0], "name": name}}
    if kind == "CONTENT_LIBRARY_IMAGE":
        args["uploadElfImageLocalIds"] = local_ids
        args["uploadIscsiLunZbsVolumeIds"] = []
    if form.get("version"):
        args["version"] = form["version"]
    now = store.now_iso()
    return store.insert("UploadTask", {
        "resource_type": kind, "status": "UPLOADING", "chunk_size": CHUNK_SIZE, "current_chunk": 0,
        "size": size, "args": args, "started_at": now, "finished_at": None, "updatedAt": now,
        "_received": 0, "_local_ids": local_ids})


def _finish(store, task):
    args = task["args"]
    kind = task["resource_type"]
    size = task["size"]
    created = []
    for cluster_id, local_id in zip(args["cluster_ids"], task["_local_ids"]):
        if kind in ("ELF_IMAGE", "CONTENT_LIBRARY_IMAGE"):
            created.append(store.insert("ElfImage", {
                "cluster": cluster_id, "name": args["name"], "description": args["description"],
                "size": size, "local_id": local_id, "path": "/usr/share/smartx/images/" + local_id,
                "local_created_at": store.now_iso(), "content_library_image": None,
                "entityAsyncStatus": None}))
        elif kind == "SVT_IMAGE":
            version = args.get("version")
            store.insert("SvtImage", {
                "cluster": cluster_id, "name": args["name"], "size": size, "local_id": local_id,
                "path": "/usr/share/smartx/svt/" + local_id, "local_created_at": store.now_iso(),
                "version": int(version) if version and version.isdigit() else 0,
                "entityAsyncStatus": None})
    if kind == "CONTENT_LIBRARY_IMAGE":
        store.insert("ContentLibraryImage", {
            "name": args["name"], "description": args["description"], "size": size,
            "clusters": args["cluster_ids"], "elf_images": [image["id"] for image in created],
            "elf_image_uuids": list(task["_local_ids"]), "created_at": store.now_iso(),
            "path": "/content-library/" + task["_local_ids"][0], "entityAsyncStatus": None})


@handles(*sorted(_KINDS))
def upload(ctx):
    store = ctx.store
    form = ctx.form
    kind = _KINDS[ctx.op.name]
    upload_file = form.get("file")
    if not isinstance(upload_file, tuple):
        raise bad_request("form field file (the chunk) is required", "file")
    filename, chunk = upload_file
    task_id = form.get("upload_task_id")
    if task_id:
        task = store.get("UploadTask", task_id)
        if task is None:
            raise bad_request("upload task %s does not exist" % task_id, "upload_task_id")
        if task["resource_type"] != kind:
            raise bad_request("upload task %s uploads %s, not %s"
                              % (task_id, task["resource_type"], kind), "upload_task_id")
        if task["status"] != "UPLOADING":
            raise bad_request("upload task %s is %s: it takes no more chunks"
                              % (task_id, task["status"]), "upload_task_id")
    else:
        task = _start(ctx, kind, form, filename, chunk)
    if not chunk and task["size"]:
        raise bad_request("form field file is an empty chunk", "file")
    if len(chunk) > task["chunk_size"]:
        raise bad_request("a chunk is at most %d bytes, got %d" % (task["chunk_size"], len(chunk)),
                          "file")
    received = task["_received"] + len(chunk)
    if received > task["size"]:
        raise bad_request("upload task %s announced %d bytes, got %d"
                          % (task["id"], task["size"], received), "file")
    changes = {"_received": received, "current_chunk": task["current_chunk"] + 1,
               "updatedAt": store.now_iso()}
    if received >= task["size"]:
        changes.update({"status": "SUCCESSED", "finished_at": store.now_iso()})
    store.update("UploadTask", task, changes)
    if task["status"] == "SUCCESSED":
        _finish(store, task)
    rendered = ctx.render("UploadTask", task)
    return rendered if ctx.op.return_type == "UploadTask" else [rendered]


@handles("cancel_upload_task")
def cancel_upload_task(ctx):
    store = ctx.store
    cancelled = []
    for task in store.find("UploadTask", ctx.body.get("where")):
        if task["status"] in ("UPLOADING", "INITIALIZING", "PAUSED"):
            store.update("UploadTask", task, {"status": "FAILED", "finished_at": store.now_iso()})
            cancelled.append(task["id"])
    return cancelled


@handles("parse_ovf")
def parse_ovf(ctx):
    upload_file = ctx.form.get("file")
    if not isinstance(upload_file, tuple):
        raise bad_request("form field file is required", "file")
    cluster_id = ctx.form.get("cluster_id")
    if ctx.store.get("Cluster", cluster_id) is None:
        raise bad_request("cluster %s does not exist" % cluster_id, "cluster_id")
    answer = ctx.fake("ParsedOVF")
    answer["name"] = six.text_type(upload_file[0] or "ovf").rsplit(".", 1)[0]
    return answer
