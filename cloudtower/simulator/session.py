# coding: utf-8
"""Logging in, and the few operations about the session and the server."""
import base64
import binascii
import random

import six

from cloudtower.simulator.errors import ApiError, bad_request
from cloudtower.simulator.handlers import handles

# the id of the one LDAP strategy the simulator announces (see graphql())
LDAP_STRATEGY_ID = "cldapstrategy000000000001"
_random = random.SystemRandom()


def new_token():
    return "".join(_random.choice("0123456789abcdef") for _ in range(48))


def find_user(store, username, source):
    for user in store.rows["User"].values():
        if user.get("username") != username:
            continue
        if source == "LOCAL" and user.get("source") == "LOCAL":
            return user
        if source in ("LDAP", "AUTHN") and user.get("source") in ("LDAP", "AUTHN"):
            return user
    return None


@handles("login")
def login(ctx):
    body = ctx.body
    source = body.get("source") or "LOCAL"
    if source == "SSO":
        raise bad_request("SSO logins need a browser; the simulator accepts LOCAL, LDAP and AUTHN",
                          "body.source")
    if source == "AUTHN" and body.get("auth_config_id") != LDAP_STRATEGY_ID:
        raise bad_request("auth_config_id %r is not an authentication strategy of this server"
                          % body.get("auth_config_id"), "body.auth_config_id")
    user = find_user(ctx.store, body.get("username"), source)
    if user is None or user.get("_password") != body.get("password"):
        # one message for both cases, as a real login does
        raise ApiError(400, "login failed: wrong username or password")
    token = new_token()
    ctx.simulator.tokens[token] = (user.get("username"), user.get("source"))
    return {"task_id": None, "data": {"token": token}}


@handles("get_my_info")
def get_my_info(ctx):
    user = ctx.store.get("User", ctx.user_id)
    if user is None:
        raise ApiError(401, "the user of this token no longer exists")
    return ctx.render("User", user)


@handles("get_api_version")
def get_api_version(ctx):
    return ctx.simulator.api_version


@handles("create_root_user")
def create_root_user(ctx):
    # the root user exists from the start on a simulator, as after installation
    raise bad_request("the root user already exists")


@handles("get_resource_changes")
def get_resource_changes(ctx):
    answer = ctx.fake("ResourceChangeResponse")
    answer["data"] = []
    answer["error"] = None
    return answer


def basic_user(store, header):
    """The user a ``Basic`` Authorization header names, if the password is right."""
    if not header or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip().encode("ascii")).decode("utf-8")
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        return None
    username, _, password = decoded.partition(":")
    for user in store.rows["User"].values():
        if user.get("username") == username and user.get("_password") == password:
            return user
    return None


def graphql(body):
    """The legacy GraphQL endpoint (``/api``): only what LDAP login discovery asks."""
    query = body.get("query") if isinstance(body, dict) else None
    if isinstance(query, six.string_types) and "authnStrategies" in query:
        return 200, {"data": {"authnStrategies": [{"id": LDAP_STRATEGY_ID, "type": "LDAP"}]}}
    return 400, {"errors": [{"message": "the simulator's /api endpoint only answers the "
                                        "authnStrategies query"}]}
