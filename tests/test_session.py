# coding: utf-8
"""cloudtower.connect(): a logged-in client from arguments, the environment or
a profile of an ini config file, in that order, against the simulator."""
import os
import stat
import subprocess
import sys
import warnings

import pytest

import cloudtower
from cloudtower import ApiException, VmApi
from cloudtower.session import (
    InsecureConfigFileWarning,
    SettingsError,
    connect,
    load_settings,
    normalize_endpoint,
)

# nothing listens here: a client sent there fails at once
CLOSED = "http://127.0.0.1:9/v2/api"


def env_for(simulator, **more):
    """An environment (a dict: connect never reads os.environ when given one)."""
    env = {"HOME": "/nonexistent-home-for-tests",
           "CLOUDTOWER_ENDPOINT": simulator.endpoint,
           "CLOUDTOWER_USERNAME": simulator.username,
           "CLOUDTOWER_PASSWORD": simulator.password}
    env.update(more)
    return dict((k, v) for k, v in env.items() if v is not None)


def write_config(tmpdir, text, mode=0o600):
    path = str(tmpdir.join("config"))
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, mode)
    return path


def logins(simulator, since=0):
    return [r for r in list(simulator.requests)[since:] if r["path"] == "/v2/api/login"]


def test_the_environment_alone_gives_a_logged_in_client(simulator):
    since = len(simulator.requests)
    with connect(environ=env_for(simulator)) as client:
        assert client.configuration.host == simulator.endpoint
        assert client.configuration.api_key["Authorization"]
        assert VmApi(client).get_vms({"first": 1})
    assert len(logins(simulator, since)) == 1


def test_it_is_the_top_level_name_and_importing_the_sdk_does_not_load_it():
    code = ("import sys, cloudtower; assert 'cloudtower.session' not in sys.modules; "
            "from cloudtower import connect; assert 'cloudtower.session' in sys.modules")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(cloudtower.__file__)))
    assert subprocess.call([sys.executable, "-c", code], env=env) == 0
    assert cloudtower.connect is connect


def test_arguments_beat_the_environment_and_the_environment_beats_the_profile(simulator, tmpdir):
    path = write_config(tmpdir, "[default]\nendpoint = %s\nusername = nobody\npassword = x\n"
                        % CLOSED)
    env = env_for(simulator, CLOUDTOWER_CONFIG_FILE=path)
    settings = load_settings(environ=env)
    assert settings.endpoint == simulator.endpoint
    assert settings.origins["endpoint"] == "environment (CLOUDTOWER_ENDPOINT)"
    assert settings.username == simulator.username
    assert settings.skipped == ()
    # the profile's credentials belong to its own endpoint: left out, and said so
    settings = load_settings(environ={"HOME": "/nonexistent", "CLOUDTOWER_CONFIG_FILE": path,
                                      "CLOUDTOWER_ENDPOINT": simulator.endpoint})
    assert (settings.username, settings.password) == (None, None)
    assert settings.skipped == ("username from profile [default] of %s" % path,
                                "password from profile [default] of %s" % path)
    settings = load_settings(environ=env, endpoint=CLOSED, username="u", password="p")
    assert (settings.endpoint, settings.username, settings.password) == (CLOSED, "u", "p")
    assert settings.origins["password"] == "argument"
    # without the environment, the profile
    settings = load_settings(environ={"HOME": "/nonexistent", "CLOUDTOWER_CONFIG_FILE": path})
    assert (settings.endpoint, settings.username, settings.password) == (CLOSED, "nobody", "x")
    assert settings.origins["endpoint"] == "profile [default] of %s" % path
    with connect(environ=env) as client:
        assert VmApi(client).get_vms({"first": 1})


def test_a_named_profile_from_the_argument_or_the_environment(simulator, tmpdir):
    path = write_config(tmpdir, (
        "[default]\nendpoint = %s\nusername = nobody\npassword = x\n\n"
        "[lab]\nendpoint = %s\nusername = %s\npassword = %s\n") % (
            CLOSED, simulator.endpoint, simulator.username, simulator.password))
    base = {"HOME": "/nonexistent", "CLOUDTOWER_CONFIG_FILE": path}
    with connect(profile="lab", environ=base) as client:
        assert VmApi(client).get_vms({"first": 1})
    with connect(environ=dict(base, CLOUDTOWER_PROFILE="lab")) as client:
        assert client.configuration.host == simulator.endpoint
    # the argument names the profile before the environment does
    assert load_settings(profile="default", environ=dict(base, CLOUDTOWER_PROFILE="lab")) \
        .endpoint == CLOSED


def test_the_default_file_is_in_the_home_folder(simulator, tmpdir):
    home = tmpdir.mkdir("home")
    home.mkdir(".cloudtower")
    with open(str(home.join(".cloudtower", "config")), "w") as handle:
        handle.write("[default]\nendpoint = %s\nusername = %s\npassword = %s\n"
                     % (simulator.endpoint, simulator.username, simulator.password))
    os.chmod(str(home.join(".cloudtower", "config")), 0o600)
    with connect(environ={"HOME": str(home)}) as client:
        assert VmApi(client).get_vms({"first": 1})


def test_a_password_in_the_environment_completes_a_profile(simulator, tmpdir):
    # the common split: where and who in the file, the secret from the environment
    path = write_config(tmpdir, "[default]\nendpoint = %s\nusername = %s\n"
                        % (simulator.endpoint, simulator.username), mode=0o644)
    env = {"HOME": "/nonexistent", "CLOUDTOWER_CONFIG_FILE": path,
           "CLOUDTOWER_PASSWORD": simulator.password}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with connect(environ=env) as client:
            assert VmApi(client).get_vms({"first": 1})
    # no secret in the file: readable by others is fine
    assert not [w for w in caught if issubclass(w.category, InsecureConfigFileWarning)]


def test_a_readable_file_holding_a_password_warns(simulator, tmpdir):
    if os.name != "posix":
        pytest.skip("permission bits are POSIX")
    path = write_config(tmpdir, "[default]\nendpoint = %s\nusername = %s\npassword = %s\n"
                        % (simulator.endpoint, simulator.username, simulator.password), mode=0o644)
    env = {"HOME": "/nonexistent", "CLOUDTOWER_CONFIG_FILE": path}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        connect(environ=env).close()
    found = [w for w in caught if issubclass(w.category, InsecureConfigFileWarning)]
    assert len(found) == 1
    assert issubclass(InsecureConfigFileWarning, UserWarning)
    message = str(found[0].message)
    assert path in message and "chmod 600" in message and simulator.password not in message
    # reported at the caller's line, not inside the SDK
    assert found[0].filename == __file__.replace(".pyc", ".py")
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        connect(environ=env).close()
    assert not [w for w in caught if issubclass(w.category, InsecureConfigFileWarning)]


@pytest.mark.parametrize("given,expected", [
    ("tower.example.com", "https://tower.example.com/v2/api"),
    ("http://tower.example.com", "http://tower.example.com/v2/api"),
    ("https://tower.example.com:8443/", "https://tower.example.com:8443/v2/api"),
    ("http://127.0.0.1:8090/v2/api/", "http://127.0.0.1:8090/v2/api"),
    ("https://proxy.example/tower/v2/api", "https://proxy.example/tower/v2/api"),
])
def test_endpoints_as_people_write_them(given, expected):
    assert normalize_endpoint(given) == expected


def test_no_endpoint_says_how_to_give_one():
    with pytest.raises(SettingsError) as info:
        connect(environ={"HOME": "/nonexistent"})
    assert info.value.missing == ("endpoint",)
    message = str(info.value)
    for hint in ("endpoint=", "CLOUDTOWER_ENDPOINT", "CLOUDTOWER_PROFILE", "~/.cloudtower/config"):
        assert hint in message


def test_no_credentials_says_how_to_give_them(simulator, tmpdir):
    with pytest.raises(SettingsError) as info:
        connect(environ={"HOME": "/nonexistent", "CLOUDTOWER_ENDPOINT": simulator.endpoint})
    assert info.value.missing == ("username", "password")
    assert "set CLOUDTOWER_USERNAME and CLOUDTOWER_PASSWORD" in str(info.value)
    path = write_config(tmpdir, "[lab]\nendpoint = %s\nusername = alice\n" % simulator.endpoint)
    with pytest.raises(SettingsError) as info:
        connect(profile="lab", environ={"HOME": "/nonexistent", "CLOUDTOWER_CONFIG_FILE": path})
    assert info.value.missing == ("password",)
    message = str(info.value)
    assert "no password for user 'alice'" in message
    assert "CLOUDTOWER_PASSWORD" in message and "password=" in message
    assert "profile [lab] of %s" % path in message


def test_credentials_given_with_another_endpoint_are_named_as_left_out(simulator, tmpdir):
    path = write_config(tmpdir, "[default]\nendpoint = %s\nusername = u\npassword = p\n" % CLOSED)
    with pytest.raises(SettingsError) as info:
        connect(environ={"HOME": "/nonexistent", "CLOUDTOWER_CONFIG_FILE": path,
                         "CLOUDTOWER_ENDPOINT": simulator.endpoint})
    assert "username from profile [default] of %s, password from profile [default] of %s left " \
        "out: given for another endpoint than %s" % (path, path, simulator.endpoint) \
        in str(info.value)
    assert info.value.missing == ("username", "password")


@pytest.mark.parametrize("config,needle", [
    ("[default]\nendpiont = x\n", "unknown setting `endpiont`"),
    ("[default]\nendpoint = ftp://tower\n", "not an http(s) address"),
    ("[default]\nendpoint = tower\nusername = u\npassword = p\ninsecure = maybe\n",
     "`insecure` (profile [default] of"),
    ("[default]\nendpoint = tower\nusername = u\npassword = p\nsource = KERBEROS\n",
     "must be LOCAL or LDAP"),
    ("[default]\nendpoint = tower\nca_bundle = /nonexistent/ca.pem\n", "no CA bundle file"),
    ("endpoint = tower\n", "cannot read the config file"),
])
def test_a_wrong_file_is_named_with_what_is_wrong(tmpdir, config, needle):
    path = write_config(tmpdir, config)
    with pytest.raises(SettingsError) as info:
        connect(environ={"HOME": "/nonexistent", "CLOUDTOWER_CONFIG_FILE": path})
    assert needle in str(info.value)


def test_a_named_profile_or_file_that_is_not_there(tmpdir):
    path = write_config(tmpdir, "[default]\nendpoint = tower\n[lab]\nendpoint = lab\n")
    with pytest.raises(SettingsError) as info:
        connect(profile="prod", environ={"HOME": "/nonexistent", "CLOUDTOWER_CONFIG_FILE": path})
    assert "no profile [prod] in %s; it has: [default], [lab]" % path in str(info.value)
    with pytest.raises(SettingsError) as info:
        connect(config_file=str(tmpdir.join("missing")), environ={})
    assert "no config file at" in str(info.value)
    with pytest.raises(SettingsError) as info:
        connect(environ={"HOME": str(tmpdir), "CLOUDTOWER_PROFILE": "lab"})
    assert "profile [lab] was asked for, but there is no config file" in str(info.value)


def test_a_password_with_percent_signs_is_read_as_it_is(tmpdir):
    path = write_config(tmpdir, "[default]\nendpoint = tower\nusername = u\npassword = 50%%off%(x)s\n")
    settings = load_settings(environ={"HOME": "/nonexistent", "CLOUDTOWER_CONFIG_FILE": path})
    assert settings.password == "50%%off%(x)s"
    assert "50%" not in repr(settings)


def test_a_token_is_used_without_logging_in(simulator):
    token = simulator.login(simulator.client())
    since = len(simulator.requests)
    with connect(environ={"HOME": "/nonexistent", "CLOUDTOWER_ENDPOINT": simulator.endpoint,
                          "CLOUDTOWER_TOKEN": token}) as client:
        assert client.configuration.api_key["Authorization"] == token
        assert VmApi(client).get_vms({"first": 1})
        assert logins(simulator, since) == []
        # a token alone cannot be renewed: its 401 is raised
        simulator.expire_sessions()
        with pytest.raises(ApiException) as info:
            VmApi(client).get_vms({"first": 1})
        assert info.value.status == 401


def test_a_refused_token_with_credentials_logs_in(simulator):
    since = len(simulator.requests)
    with connect(token="stale-token", environ=env_for(simulator)) as client:
        assert logins(simulator, since) == []
        assert VmApi(client).get_vms({"first": 1})
        assert client.configuration.api_key["Authorization"] != "stale-token"
    paths = [r["path"] for r in list(simulator.requests)[since:]]
    assert paths == ["/v2/api/get-vms", "/v2/api/login", "/v2/api/get-vms"]


def test_an_ldap_user_from_the_environment():
    from cloudtower.simulator import Simulator
    users = [{"username": "alice", "password": "ldap-pass-1", "source": "LDAP", "role": "ADMIN"}]
    with Simulator(port=0, users=users) as simulator:
        env = {"HOME": "/nonexistent", "CLOUDTOWER_ENDPOINT": simulator.endpoint,
               "CLOUDTOWER_USERNAME": "alice", "CLOUDTOWER_PASSWORD": "ldap-pass-1",
               "CLOUDTOWER_USER_SOURCE": "ldap"}
        with connect(environ=env) as client:
            assert VmApi(client).get_vms({"first": 1})
        assert logins(simulator)[-1]["body"]["source"] == "AUTHN"


def test_tls_settings_reach_the_configuration(simulator, tmpdir):
    ca = tmpdir.join("ca.pem")
    ca.write("not checked before the first https connection")
    env = env_for(simulator, CLOUDTOWER_CA_BUNDLE=str(ca), CLOUDTOWER_INSECURE="yes",
                  CLOUDTOWER_API_VERSION="4.3.0")
    with connect(environ=env, timeout=5, retries=0) as client:
        configuration = client.configuration
        assert configuration.ssl_ca_cert == str(ca)
        assert configuration.verify_ssl is False
        assert configuration.api_version == "4.3.0"
        assert configuration.timeout == 5 and configuration.retries == 0
    settings = load_settings(environ=env, insecure=False)
    assert settings.insecure is False and settings.origins["insecure"] == "argument"


def test_unknown_options_and_wrong_types_are_refused_before_anything_is_sent(simulator):
    since = len(simulator.requests)
    with pytest.raises(TypeError) as info:
        connect(environ=env_for(simulator), timeuot=5)
    assert "timeuot" in str(info.value)
    with pytest.raises(TypeError) as info:
        connect(environ=env_for(simulator), password=1234)
    assert "`password` (argument) must be text, got int" in str(info.value)
    assert len(simulator.requests) == since


def test_a_refused_login_raises_and_closes_the_client(simulator):
    with pytest.raises(ApiException) as info:
        connect(environ=env_for(simulator, CLOUDTOWER_PASSWORD="Secret-7731"))
    assert info.value.status == 400
    assert "Secret-7731" not in str(info.value)


def test_the_process_environment_is_read_not_changed(simulator, monkeypatch):
    for name, value in env_for(simulator).items():
        monkeypatch.setenv(name, value)
    before = dict(os.environ)
    with connect() as client:
        assert VmApi(client).get_vms({"first": 1})
    assert dict(os.environ) == before
