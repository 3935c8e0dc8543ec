# coding: utf-8
"""Errors that point at the fix, before anything is sent where CloudTower would refuse."""
import warnings

import pytest

from cloudtower import (
    AlertApi,
    ApiClient,
    ApiException,
    ApiTypeError,
    ApiValueError,
    Configuration,
    VmApi,
)
from cloudtower.models import GetVmsRequestBody
from cloudtower.request_check import RequestWarning
from cloudtower.utils import login


def sent(simulator):
    return len(simulator.requests)


@pytest.mark.parametrize("body, says", [
    ({"orderBy": "name_asc"}, "did you mean 'name_ASC'?"),
    ({"order_by": "name_ASC"}, "a dict body takes its JSON key `orderBy`"),
    ({"wehre": {"name": "x"}}, "did you mean `where`?"),
    ({"where": {"nmae": "x"}}, "VmWhereInput has no key `nmae`; did you mean `name`?"),
    ({"where": {"AND": {"status": "running"}}}, "did you mean 'RUNNING'?"),
])
def test_body_mistakes_cloudtower_would_refuse_name_the_fix(simulator, api_client, body, says):
    before = sent(simulator)
    with pytest.raises(ApiValueError) as caught:
        VmApi(api_client).get_vms(body)
    assert says in str(caught.value)
    assert sent(simulator) == before


def test_a_model_value_in_the_wrong_case_names_the_value_meant():
    with pytest.raises(ApiValueError) as caught:
        GetVmsRequestBody(order_by="name_asc")
    assert str(caught.value).endswith("did you mean 'name_ASC'?")
    with pytest.raises(ValueError) as caught:  # no near value: the list, cut short
        GetVmsRequestBody(order_by="sideways")
    assert "must be one of" in str(caught.value) and len(str(caught.value)) < 700


def test_a_string_filter_with_enum_values_warns_of_the_wrong_case(simulator, api_client):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        alerts = AlertApi(api_client).get_alerts({"where": {"severity": "critical"}})
    assert alerts == []  # CloudTower takes it and matches nothing
    mine = [w for w in caught if issubclass(w.category, RequestWarning)]
    assert len(mine) == 1 and "did you mean 'CRITICAL'?" in str(mine[0].message)
    assert mine[0].filename.rstrip("c") == __file__.rstrip("c")
    assert AlertApi(api_client).get_alerts({"where": {"severity": "CRITICAL"}})


def test_right_bodies_pass_without_a_word(simulator, api_client):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        VmApi(api_client).get_vms({"where": {"name_in": ["a"], "OR": [{"status": "RUNNING"}]},
                                   "orderBy": "name_ASC", "first": 1})
    assert not [w for w in caught if issubclass(w.category, RequestWarning)]


def test_an_unknown_option_names_the_one_meant():
    with pytest.raises(ApiTypeError) as caught:
        VmApi(ApiClient()).get_vms({}, timeout=3)
    assert "_request_timeout" in str(caught.value) and "_deadline" in str(caught.value)
    with pytest.raises(ApiTypeError) as caught:
        VmApi(ApiClient()).get_vms({}, async_reqq=True)
    assert "did you mean async_req?" in str(caught.value)


def test_a_host_without_a_scheme_is_a_clear_error():
    client = ApiClient(Configuration(host="tower.example.com/v2/api"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ApiValueError) as error:
            VmApi(client).get_vms({})
    assert "http://" in str(error.value) and "tower.example.com/v2/api" in str(error.value)
    assert not caught


def test_a_host_without_v2_api_gets_the_hint(simulator):
    client = ApiClient(Configuration(host=simulator.endpoint[:-len("/v2/api")]))
    with pytest.raises(ApiException) as caught:
        login(client, simulator.username, simulator.password)
    assert caught.value.status == 404
    assert "should end with it" in caught.value.hint and caught.value.hint in str(caught.value)


def test_an_error_is_one_line_with_what_matters(simulator, api_client):
    with pytest.raises(ApiException) as caught:
        VmApi(api_client).get_vms({"where": {"vcpu": "four"}})
    text = str(caught.value)
    assert text.count("\n") == 0 and text.startswith("(400) ")
    assert caught.value.message in text and caught.value.request_id in text
    assert caught.value.headers and caught.value.body  # kept as attributes


def test_the_host_error_never_shows_a_password():
    for host in ("root:s3cret-canary@tower.example.com/v2/api", "ftp://root:s3cret-canary@tower/v2/api"):
        with pytest.raises(ApiValueError) as caught:
            VmApi(ApiClient(Configuration(host=host))).get_vms({})
        assert "s3cret-canary" not in str(caught.value) and "<redacted>@" in str(caught.value)


def test_a_value_of_the_wrong_type_is_an_api_type_error():
    from cloudtower.models import VmWhereInput
    with pytest.raises(ApiTypeError) as caught:
        VmWhereInput(vcpu_gt="four")
    assert "`vcpu_gt` of VmWhereInput: expected a number, got str" in str(caught.value)
    with pytest.raises(ApiTypeError):
        VmWhereInput(vcpu_in=[1, "2"])
    with pytest.raises(ApiTypeError):
        VmWhereInput(ha="yes")
    assert VmWhereInput(vcpu_gt=4, vcpu_in=[1, 2.0], ha=True).vcpu_gt == 4
