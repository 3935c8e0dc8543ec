# coding: utf-8
"""HTTP transport: one urllib3 pool manager per client, JSON and multipart bodies."""
import io
import json
import logging
import ssl
import warnings

import six
import urllib3
from six.moves.urllib.parse import urlencode

from cloudtower.configuration import redact_headers
from cloudtower.exceptions import ApiException, ApiValueError

logger = logging.getLogger("cloudtower.rest")

_insecure_warned = []


class _UnverifiedHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    """The HTTPS pool of a client with ``verify_ssl=False``.

    urllib3's pool warns (``InsecureRequestWarning``) before every request on
    an unverified connection; this SDK warns once instead (see
    ``RESTClientObject``). Turning urllib3's warning off is not ours to do: a
    warnings filter, even one added and removed around each request
    (``warnings.catch_warnings``), changes the filters of the whole process,
    for other threads and for the program's own urllib3 requests too; and
    ``urllib3.disable_warnings`` silences them for good. So this pool does
    what ``HTTPSConnectionPool._validate_conn`` does except the warning: it
    connects early, so that connection errors are reported as before. Only
    the pools of that client use it; nothing global changes.
    """

    def _validate_conn(self, conn):
        urllib3.HTTPConnectionPool._validate_conn(self, conn)
        # urllib3 2.x has ``is_closed``; 1.x looks at ``sock``
        closed = conn.is_closed if hasattr(conn, "is_closed") else not getattr(conn, "sock", None)
        if closed:
            conn.connect()


class RESTResponse(io.IOBase):
    """A finished response: ``status``, ``reason``, ``data`` and its headers."""

    def __init__(self, resp):
        self.urllib3_response = resp
        self.status = resp.status
        self.reason = resp.reason
        self.data = resp.data

    def getheaders(self):
        return self.urllib3_response.headers

    def getheader(self, name, default=None):
        return self.urllib3_response.headers.get(name, default)


def make_timeout(timeout):
    """A number, a ``(connect, read)`` pair, a urllib3 ``Timeout`` or None."""
    if timeout is None:
        return urllib3.Timeout(connect=None, read=None)
    if isinstance(timeout, urllib3.Timeout):
        return timeout
    if isinstance(timeout, (tuple, list)):
        if len(timeout) != 2:
            raise ApiValueError("a request timeout pair must be (connect, read), got %r" % (timeout,))
        return urllib3.Timeout(connect=timeout[0], read=timeout[1])
    if isinstance(timeout, (six.integer_types, float)) and not isinstance(timeout, bool):
        return urllib3.Timeout(total=timeout)
    raise ApiValueError("a request timeout must be seconds or (connect, read), got %r" % (timeout,))


class RESTClientObject(object):
    """Sends requests; raises ``ApiException`` for any status outside 2xx."""

    def __init__(self, configuration, pools_size=4, maxsize=None):
        self.configuration = configuration
        if configuration.verify_ssl:
            cert_reqs = ssl.CERT_REQUIRED
            ca_certs = configuration.ssl_ca_cert
            if ca_certs is None:
                import certifi
                ca_certs = certifi.where()
        else:
            cert_reqs = ssl.CERT_NONE
            ca_certs = None
            if not _insecure_warned:
                _insecure_warned.append(True)
                warnings.warn("TLS certificate verification is off (verify_ssl=False): "
                              "the connection to CloudTower can be intercepted.",
                              stacklevel=3)
        options = dict(
            num_pools=pools_size,
            maxsize=maxsize or configuration.connection_pool_maxsize or 4,
            cert_reqs=cert_reqs,
            ca_certs=ca_certs,
            cert_file=configuration.cert_file,
            key_file=configuration.key_file,
            # the SDK decides itself what may be retried (see ApiClient)
            retries=False,
        )
        if configuration.assert_hostname is not None:
            options["assert_hostname"] = configuration.assert_hostname
        if configuration.socket_options is not None:
            options["socket_options"] = configuration.socket_options
        if configuration.proxy:
            self.pool_manager = urllib3.ProxyManager(
                proxy_url=configuration.proxy, proxy_headers=configuration.proxy_headers,
                **options)
        else:
            self.pool_manager = urllib3.PoolManager(**options)
        if not configuration.verify_ssl:
            # one warning from us is enough; urllib3's pool would repeat it per request
            self.pool_manager.pool_classes_by_scheme = dict(
                self.pool_manager.pool_classes_by_scheme, https=_UnverifiedHTTPSConnectionPool)

    def close(self):
        self.pool_manager.clear()

    def request(self, method, url, query_params=None, headers=None, body=None,
                post_params=None, _preload_content=True, _request_timeout=None):
        method = method.upper()
        headers = dict(headers or {})
        if query_params:
            url += ("&" if "?" in url else "?") + urlencode(query_params)
        timeout = make_timeout(_request_timeout if _request_timeout is not None
                               else self.configuration.timeout)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s headers=%s", method, url, redact_headers(headers))
        # a redirect is answered to the caller, never followed (urllib3 1.x followed one
        # even with retries=False): a 307 from a passive node of an active-passive pair
        # says "not here", and a change must not be sent anywhere else unasked
        kwargs = dict(preload_content=_preload_content, timeout=timeout, headers=headers,
                      redirect=False)
        if method in ("GET", "HEAD", "DELETE") and body is None and not post_params:
            response = self.pool_manager.request(method, url, **kwargs)
        else:
            content_type = headers.get("Content-Type", "application/json")
            if content_type.startswith("multipart/form-data"):
                # urllib3 writes the boundary into Content-Type itself
                del headers["Content-Type"]
                response = self.pool_manager.request(
                    method, url, fields=post_params or [], encode_multipart=True, **kwargs)
            elif content_type.startswith("application/x-www-form-urlencoded"):
                response = self.pool_manager.request(
                    method, url, fields=post_params or [], encode_multipart=False, **kwargs)
            else:
                if body is not None and not isinstance(body, (bytes, six.text_type)):
                    body = json.dumps(body, separators=(",", ":"))
                if isinstance(body, six.text_type):
                    body = body.encode("utf-8")
                headers.setdefault("Content-Type", "application/json")
                response = self.pool_manager.urlopen(method, url, body=body, **kwargs)
        if not _preload_content:
            if not 200 <= response.status <= 299:
                response.read()
                raise ApiException(http_resp=RESTResponse(response))
            return response
        result = RESTResponse(response)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("response %s %s (%d bytes) request-id=%s", result.status, url,
                         len(result.data or b""), result.getheader("x-tower-request-id"))
        if not 200 <= result.status <= 299:
            raise ApiException(http_resp=result)
        return result

    def GET(self, url, headers=None, query_params=None, _preload_content=True,
            _request_timeout=None):
        return self.request("GET", url, query_params=query_params, headers=headers,
                            _preload_content=_preload_content, _request_timeout=_request_timeout)

    def POST(self, url, headers=None, query_params=None, post_params=None, body=None,
             _preload_content=True, _request_timeout=None):
        return self.request("POST", url, query_params=query_params, headers=headers,
                            post_params=post_params, body=body,
                            _preload_content=_preload_content, _request_timeout=_request_timeout)
