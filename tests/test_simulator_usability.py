# coding: utf-8
"""Small things users tripped on: a banner whose export lines paste into an
interactive shell as they are, ``--help`` that shows the defaults, and
cloud-init refused on a template that does not support it."""
import os
import subprocess
import sys

import pytest

from cloudtower import VmApi, VmTemplateApi
from cloudtower.simulator import DEFAULT_PASSWORD, DEFAULT_USERNAME
from cloudtower.simulator.__main__ import export_lines, shell_quote

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_NASTY = (DEFAULT_PASSWORD, "it's", "a'b!c$HOME`id`\\\"d", "!!", "$(echo no)", u"\u4e2d\u6587!",
          "   spaced  ", "", "''")


def _bash():
    for folder in os.environ.get("PATH", "").split(os.pathsep) + ["/bin", "/usr/bin"]:
        candidate = os.path.join(folder, "bash")
        if os.path.exists(candidate):
            return candidate
    return None


@pytest.mark.skipif(_bash() is None, reason="needs bash")
@pytest.mark.parametrize("password", _NASTY)
def test_export_lines_paste_into_an_interactive_bash_as_they_are(password):
    lines = export_lines("http://127.0.0.1:8090/v2/api", "root", password, "t0ken")
    assert lines[2] == "export CLOUDTOWER_PASSWORD=" + shell_quote(password)
    # history expansion on, as in an interactive shell: an unquoted ! would be expanded
    script = "\n".join(["set -o history", "set -H"] + lines + [
        'printf "%s\\0" "$CLOUDTOWER_ENDPOINT" "$CLOUDTOWER_USERNAME" "$CLOUDTOWER_PASSWORD" '
        '"$CLOUDTOWER_SIMULATOR_ADMIN"']) + "\n"
    process = subprocess.Popen([_bash(), "--norc", "--noprofile"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"})
    out, err = process.communicate(script.encode("utf-8"))
    assert process.returncode == 0 and not err, err
    values = out.decode("utf-8").split(u"\0")[:-1]
    assert values == [u"http://127.0.0.1:8090/v2/api", u"root",
                      password if isinstance(password, type(u"")) else password.decode("utf-8"),
                      u"t0ken"]


def test_the_default_password_is_single_quoted():
    assert export_lines("e", "root", "HC!r0cks", "x")[2] == "export CLOUDTOWER_PASSWORD='HC!r0cks'"


def _run(*args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, "-m", "cloudtower.simulator"] + list(args),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = process.communicate()
    return process.returncode, out.decode("utf-8"), err.decode("utf-8")


def test_help_shows_the_default_user_password_and_seed():
    code, out, _ = _run("--help")
    assert code == 0
    text = " ".join(out.split())
    assert "(default: %s)" % DEFAULT_USERNAME in text
    assert "(default: %s)" % DEFAULT_PASSWORD in text
    assert "same one (default: 0)" in text
    for option in ("--size", "--state", "--save-interval", "--admin-token"):
        assert option in text


def test_the_banner_prints_paste_safe_exports():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudtower.simulator", "--port", "0", "--password", "p'w!d",
         "--admin-token", "banner-token"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        lines = []
        while not lines or not lines[-1].startswith("Press Ctrl+C"):
            line = process.stdout.readline().decode("utf-8")
            assert line, process.stderr.read()
            lines.append(line.rstrip("\n"))
    finally:
        process.terminate()
        process.communicate()
    endpoint = [line.split()[1] for line in lines if line.startswith("endpoint: ")][0]
    exports = [line for line in lines if line.startswith("export ")]
    assert exports == export_lines(endpoint, "root", "p'w!d", "banner-token")
    assert exports[2] == "export CLOUDTOWER_PASSWORD='p'\"'\"'w!d'"
    assert "seed 0, 21 VMs over 4 clusters" in lines[0]
    assert any(line.startswith("admin: %s/_simulator" % endpoint[:-len("/v2/api")])
               for line in lines)


def test_cloud_init_on_a_template_without_it_is_refused(api_client, finish):
    vm_api = VmApi(api_client)
    templates = VmTemplateApi(api_client).get_vm_templates(
        {"where": {"cluster": {"name": "cluster-elf-a"}}, "orderBy": "name_ASC"})
    without = [t for t in templates if not t.cloud_init_supported][0]
    supported = [t for t in templates if t.cloud_init_supported][0]
    cloud_init = {"hostname": "ci-host", "user_data": "#cloud-config\n"}
    before = vm_api.get_vms_connection({}).aggregate.count
    answers = vm_api.create_vm_from_template([
        {"template_id": without.id, "name": "ci-refused", "is_full_copy": False,
         "cloud_init": cloud_init},
        {"template_id": without.id, "name": "ci-none", "is_full_copy": False},
        {"template_id": supported.id, "name": "ci-ok", "is_full_copy": False,
         "cloud_init": cloud_init}])
    tasks = finish([a.task_id for a in answers])
    assert [t.status for t in tasks] == ["FAILED", "SUCCESSED", "SUCCESSED"]
    assert tasks[0].error_code == "VM_TEMPLATE_CLOUD_INIT_NOT_SUPPORTED"
    assert without.name in tasks[0].error_message
    assert vm_api.get_vms_connection({}).aggregate.count == before + 2
    assert not vm_api.get_vms({"where": {"name": "ci-refused"}})
