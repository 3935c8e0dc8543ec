# coding: utf-8
"""Chunked uploads to the simulator through the SDK's multipart operations."""
import json

import pytest

from cloudtower import ApiException, ClusterApi, ContentLibraryImageApi, ElfImageApi, UploadTaskApi

MIB = 1024 * 1024


def _cluster(api_client, name="cluster-elf-a"):
    return ClusterApi(api_client).get_clusters({"where": {"name": name}})[0]


def _chunks(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


def test_elf_image_upload_in_chunks(api_client):
    api = ElfImageApi(api_client)
    cluster = _cluster(api_client)
    data = (b"0123456789abcdef" * (MIB // 16)) * 20  # 20 MiB
    first = api.create_elf_image(("installer.iso", data[:8 * MIB]), cluster_id=cluster.id,
                                 name="installer.iso", size=str(20), size_unit="MB")
    assert len(first) == 1
    task = first[0]
    assert (task.status, task.resource_type, task.current_chunk, task.size) == (
        "UPLOADING", "ELF_IMAGE", 1, 20 * MIB)
    assert task.chunk_size == 8 * MIB
    assert api.get_elf_images({"where": {"name": "installer.iso"}}) == []
    rest = _chunks(data[8 * MIB:], task.chunk_size)
    assert len(rest) == 2
    for number, chunk in enumerate(rest, 2):
        task = api.create_elf_image(("installer.iso", chunk), upload_task_id=task.id)[0]
        assert task.current_chunk == number
    assert task.status == "SUCCESSED" and task.finished_at
    listed = UploadTaskApi(api_client).get_upload_tasks({"where": {"id": task.id}})[0]
    assert listed.status == "SUCCESSED"
    local_id = listed.args["attributes"]["uuid"]
    image = api.get_elf_images({"where": {"local_id": local_id}})[0]
    assert (image.name, image.size, image.cluster.id) == ("installer.iso", 20 * MIB, cluster.id)
    # a finished task takes no more chunks
    with pytest.raises(ApiException) as caught:
        api.create_elf_image(("installer.iso", b"x"), upload_task_id=task.id)
    assert caught.value.status == 400 and "SUCCESSED" in caught.value.message


def test_single_chunk_upload_without_size(api_client):
    api = ElfImageApi(api_client)
    cluster = _cluster(api_client)
    task = api.create_elf_image(("tiny.iso", b"tiny image"), cluster_id=cluster.id)[0]
    assert task.status == "SUCCESSED" and task.size == len(b"tiny image")
    assert api.get_elf_images({"where": {"name": "tiny.iso", "cluster": {"id": cluster.id}}})


def test_upload_errors_change_nothing(api_client):
    api = ElfImageApi(api_client)
    cluster = _cluster(api_client)
    images = len(api.get_elf_images({}))
    with pytest.raises(ApiException) as caught:
        api.create_elf_image(("big.iso", b"x" * (9 * MIB)), cluster_id=cluster.id, size="20", size_unit="MB")
    assert caught.value.status == 400 and "at most" in caught.value.message
    with pytest.raises(ApiException) as caught:
        api.create_elf_image(("a.iso", b"x"), upload_task_id="cnosuchupload0000000000000")
    assert caught.value.status == 400 and "does not exist" in caught.value.message
    with pytest.raises(ApiException) as caught:
        api.create_elf_image(("a.iso", b"x"), size="1")
    assert caught.value.status == 400 and "cluster_id" in caught.value.message
    with pytest.raises(ApiException) as caught:
        api.create_elf_image(("a.iso", b"x"), cluster_id="cnosuchcluster000000000000")
    assert caught.value.status == 400
    task = api.create_elf_image(("over.iso", b"x" * 10), cluster_id=cluster.id, size="12")[0]
    with pytest.raises(ApiException) as caught:
        api.create_elf_image(("over.iso", b"x" * 10), upload_task_id=task.id)
    assert caught.value.status == 400 and "announced 12 bytes" in caught.value.message
    assert UploadTaskApi(api_client).get_upload_tasks({"where": {"id": task.id}})[0].current_chunk == 1
    assert len(api.get_elf_images({})) == images


def test_cancel_an_upload(api_client):
    api = ElfImageApi(api_client)
    cluster = _cluster(api_client)
    task = api.create_elf_image(("half.iso", b"x" * 10), cluster_id=cluster.id, size="100")[0]
    cancelled = UploadTaskApi(api_client).cancel_upload_task({"where": {"id": task.id}})
    assert cancelled == [task.id]
    assert UploadTaskApi(api_client).get_upload_tasks({"where": {"id": task.id}})[0].status == "FAILED"
    with pytest.raises(ApiException):
        api.create_elf_image(("half.iso", b"y" * 90), upload_task_id=task.id)


def test_content_library_image_upload_to_two_clusters(api_client):
    api = ContentLibraryImageApi(api_client)
    clusters = ClusterApi(api_client).get_clusters({"where": {"hypervisor": "ELF"}})
    assert len(clusters) == 2
    where = json.dumps({"id_in": [c.id for c in clusters]})
    task = api.create_content_library_image(("shared.iso", b"z" * 1000), where, name="shared.iso")[0]
    assert task.status == "SUCCESSED" and task.resource_type == "CONTENT_LIBRARY_IMAGE"
    local_ids = task.args["uploadElfImageLocalIds"]
    assert len(local_ids) == 2
    image = api.get_content_library_images({"where": {"elf_images_some": {"local_id": local_ids[0]}}})[0]
    assert image.name == "shared.iso"
    assert sorted(c.id for c in image.clusters) == sorted(c.id for c in clusters)
    elf_images = ElfImageApi(api_client).get_elf_images({"where": {"local_id_in": local_ids}})
    assert sorted(i.cluster.id for i in elf_images) == sorted(c.id for c in clusters)
    assert all(i.content_library_image.id == image.id for i in elf_images)


def test_content_library_upload_needs_a_valid_cluster_filter(api_client):
    api = ContentLibraryImageApi(api_client)
    for clusters, words in (("not json", "JSON"), (json.dumps({"id_in": "x"}), "clusters.id_in"),
                            (json.dumps({"name": "no-such-cluster"}), "matches no cluster")):
        with pytest.raises(ApiException) as caught:
            api.create_content_library_image(("a.iso", b"a"), clusters)
        assert caught.value.status == 400 and words in caught.value.message
