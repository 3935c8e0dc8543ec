# coding: utf-8
"""Models a person can read: help(), signatures, IPython and Jupyter displays;
print() and repr() stay what the official SDK prints."""
import pprint
import sys

import pytest

from cloudtower import VmApi
from cloudtower.model import ModelList
from cloudtower.models import Vm, VmCreateVmFromTemplateParams, VmWhereInput


class Printer(object):
    """What IPython hands to ``_repr_pretty_``: collects the text."""

    def __init__(self):
        self.parts = []

    def text(self, text):
        self.parts.append(text)


def test_the_docstring_lists_every_field_with_its_type_and_json_key():
    doc = VmCreateVmFromTemplateParams.__doc__
    for attr, type_name in VmCreateVmFromTemplateParams.openapi_types.items():
        assert "    %s: %s" % (attr, type_name) in doc
    assert "template_id: str *" in doc  # required
    doc = Vm.__doc__
    assert "\n    name: str" in doc and "versions 1.9.0 only" in doc
    renamed = [a for a, k in VmWhereInput.attribute_map.items() if a != k][0]
    assert 'JSON "%s"' % VmWhereInput.attribute_map[renamed] in VmWhereInput.__doc__


@pytest.mark.skipif(sys.version_info < (3, 3), reason="inspect.signature is Python 3")
def test_the_signature_shows_keyword_parameters():
    import inspect
    signature = inspect.signature(VmCreateVmFromTemplateParams)
    assert set(signature.parameters) == set(VmCreateVmFromTemplateParams.openapi_types)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None
               for p in signature.parameters.values())


def test_print_and_repr_stay_the_dict_pretty_printed():
    vm = Vm.from_json({"id": "vm-1", "name": "web-1", "vcpu": 4})
    assert repr(vm) == pprint.pformat(vm.to_dict())
    assert str(vm) == repr(vm)


def test_ipython_shows_one_line_of_the_fields_that_are_set():
    vm = Vm.from_json({"id": "vm-1", "name": "web-1", "vcpu": 4, "cluster": {"id": "c-1", "name": "a"},
                       "vm_disks": [{"id": "d-1"}, {"id": "d-2"}]})
    printer = Printer()
    vm._repr_pretty_(printer, False)
    text = "".join(printer.parts)
    assert text.startswith("Vm(") and "name='web-1'" in text and "vcpu=4" in text
    assert "cluster=NestedCluster(a)" in text and "vm_disks=[2]" in text
    assert "\n" not in text


def test_api_lists_show_as_a_table_in_jupyter(simulator, api_client):
    vms = VmApi(api_client).get_vms({"first": 3, "orderBy": "name_ASC"})
    assert isinstance(vms, list) and isinstance(vms, ModelList) and len(vms) == 3
    html = vms._repr_html_()
    assert html.startswith("<p>3 Vm</p><table>") and html.count("<tr>") == 4
    assert "<th>name</th>" in html and vms[0].name in html
    printer = Printer()
    vms._repr_pretty_(printer, False)
    assert "".join(printer.parts).count("Vm(") == 3
    assert ModelList([1, 2])._repr_html_() is None


def test_describe_is_the_public_field_metadata():
    from cloudtower.models import AlertWhereInput, VmNicWhereInput
    info = VmCreateVmFromTemplateParams.describe()
    assert info.name == "VmCreateVmFromTemplateParams" and info is VmCreateVmFromTemplateParams.describe()
    fields = dict((f.name, f) for f in info.fields)
    assert [f.name for f in info.fields] == list(VmCreateVmFromTemplateParams.openapi_types)
    assert fields["template_id"].required and fields["template_id"].type == "str"
    disks = fields["disk_operate"]
    assert disks.model == VmCreateVmFromTemplateParams.openapi_types["disk_operate"]
    where = dict((f.name, f) for f in VmNicWhereInput.describe().fields)
    assert where["_not"].json_key == "NOT" and where["_not"].many and where["_not"].model == "VmNicWhereInput"
    assert where["model"].enum and where["model"].model == "VmNicModel"
    severity = [f for f in AlertWhereInput.describe().fields if f.name == "severity"][0]
    assert severity.enum is None and severity.enum_hint == "SeverityEnum"
    assert isinstance(Vm.describe().closed, bool)
