# coding: utf-8
"""Uploading an ISO as an ELF image, in 8 MiB chunks, with progress; then
finding the image it became.

    python examples/upload_image.py [path/to/file.iso]

Without a path it uploads a 20 MiB file of zeros it makes itself (three
chunks) and deletes the image again.
"""
from __future__ import print_function

import os
import sys
import tempfile

from _common import connect, elf_cluster, scratch_name
from cloudtower import ElfImageApi, wait_for
from cloudtower.image_utils import get_elf_image_by_upload_task
from cloudtower.upload import upload_elf_image


def main():
    own_file = len(sys.argv) < 2
    with connect(changes_things=own_file) as api_client:
        cluster = elf_cluster(api_client)
        if own_file:
            handle, path = tempfile.mkstemp(suffix=".iso")
            with os.fdopen(handle, "wb") as iso:
                iso.truncate(20 * 1024 * 1024)
            name = scratch_name("image") + ".iso"
        else:
            path, name = sys.argv[1], None
        try:
            def progress(sent, total):
                print("  %3d%%  %d of %d bytes" % (100 * sent // max(total, 1), sent, total))

            # a chunk that fails is retried; if it keeps failing, the error
            # names the upload_task_id to resume from with the same call
            task = upload_elf_image(api_client, path, cluster.id, name=name, progress=progress)
            print("upload task %s: %s, %d chunk(s) of %d bytes" % (
                task.id, task.status, task.current_chunk, task.chunk_size))
        finally:
            if own_file:
                os.remove(path)

        images = get_elf_image_by_upload_task(api_client, {"where": {"id": task.id}})
        image = images.get(task.id)
        if image is None:
            print("the image is not visible yet (CloudTower syncs it shortly after the upload)")
            return
        print("ELF image %s (%s) in cluster %s, %d bytes" % (
            image.name, image.id, image.cluster.name, image.size))
        if own_file:
            wait_for(ElfImageApi(api_client).delete_elf_image({
                "where": {"id": image.id}}), api_client)
            print("deleted it again")


if __name__ == "__main__":
    main()
