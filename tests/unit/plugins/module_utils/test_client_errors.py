# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_client error normalisation: the six error shapes, redaction, one-line transport errors (some over real sockets)."""

from __future__ import annotations

import http.server
import json
import socket
import threading

import pytest
import requests

from ansible_collections.azure_iot.jobs.plugins.module_utils._auth import SasAuth
from ansible_collections.azure_iot.jobs.plugins.module_utils._client import Client, parse_error
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, TransportError

JOB = "https://myhub.azure-devices.net/jobs/v2/j1?api-version=2021-04-12"
KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
CONNECTION_STRING = "HostName=myhub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=" + KEY

IN_STRING = json.dumps({
    "errorCode": 404103,
    "trackingId": "95ae23a6a2a64c4fb0ae2e0e8d1b3f1c-G:5-TimeStamp:10/19/2022 16:47:22",
    "message": "The operation failed because the requested device isn't online or hasn't registered the direct "
               "method callback.",
    "timestampUtc": "2022-10-19T16:47:22.0203257Z",
})

SHAPES = [
    pytest.param(
        429, {"iothub-errorcode": "ThrottlingMaxActiveJobCountExceeded"},
        {"Message": "ErrorCode:ThrottlingMaxActiveJobCountExceeded;429",
         "ExceptionMessage": "Tracking ID:9659f77467c24bcf8a717f07e5a8e449-TimeStamp:02/05/2018 11:41:56"},
        "Too Many Requests",
        ("ThrottlingMaxActiveJobCountExceeded", "Too Many Requests", "9659f77467c24bcf8a717f07e5a8e449"),
        id="iothub-semicolon-bare-status"),
    pytest.param(
        405, {"x-ms-request-id": "4c2f6a8e-1111-2222-3333-444455556666"},
        {"Message": "ErrorCode:OperationNotAllowedInCurrentState;Job cannot be cancelled in 'Running' status.",
         "ExceptionMessage": "Tracking ID:0a1b2c3d4e5f60718293a4b5c6d7e8f9-G:10-TimeStamp:06/01/2024 10:00:00"},
        "Method Not Allowed",
        ("OperationNotAllowedInCurrentState", "Job cannot be cancelled in 'Running' status.",
         "4c2f6a8e-1111-2222-3333-444455556666"),
        id="iothub-semicolon-request-id-header-wins"),
    pytest.param(
        404, {}, {"Message": IN_STRING, "ExceptionMessage": ""}, "Not Found",
        ("404103", "The operation failed because the requested device isn't online or hasn't registered the direct "
                   "method callback.", "95ae23a6a2a64c4fb0ae2e0e8d1b3f1c"),
        id="iothub-json-in-string"),
    pytest.param(
        404, {"iothub-errorcode": "DeviceNotOnline"}, {"Message": IN_STRING, "ExceptionMessage": ""}, "Not Found",
        ("DeviceNotOnline", "The operation failed because the requested device isn't online or hasn't registered "
                            "the direct method callback.", "95ae23a6a2a64c4fb0ae2e0e8d1b3f1c"),
        id="iothub-json-in-string-header-names-the-code"),
    pytest.param(
        400, {"x-ms-request-id": "arm-req-1", "x-ms-correlation-request-id": "corr-1"},
        {"code": 400123, "httpStatusCode": "BadRequest",
         "message": "Invalid export blob container URI. errorcode: IH400123."},
        "Bad Request",
        ("400123", "Invalid export blob container URI. errorcode: IH400123.", "arm-req-1"),
        id="arm-flat-numeric-code"),
    pytest.param(
        404, {"x-ms-correlation-request-id": "corr-2"},
        {"code": "JobNotFound", "httpStatusCode": "NotFound", "message": "Job not found: j1"}, "Not Found",
        ("JobNotFound", "Job not found: j1", "corr-2"),
        id="arm-flat-string-code-correlation-id"),
    pytest.param(
        404, {"x-ms-request-id": "arm-req-3"},
        {"error": {"code": "ResourceNotFound", "message": "The Resource 'Microsoft.Devices/IotHubs/hub1' under "
                                                          "resource group 'rg' was not found."}},
        "Not Found",
        ("ResourceNotFound", "The Resource 'Microsoft.Devices/IotHubs/hub1' under resource group 'rg' was not found.",
         "arm-req-3"),
        id="arm-envelope"),
    pytest.param(
        404, {},
        {"error": {"code": "NotFound", "message": "Job 'j1' not found.", "requestId": "b5a7c0de-9d3e-4f00-8c1a",
                   "time": "Tue, 24 May 2022 22:29:01 GMT"}},
        "Not Found",
        ("NotFound", "Job 'j1' not found.", "b5a7c0de-9d3e-4f00-8c1a"),
        id="iotcentral"),
    pytest.param(
        502, {}, "<html><body>Bad gateway</body></html>", "Bad Gateway", (None, "Bad Gateway", None),
        id="non-json"),
    pytest.param(500, {}, None, "", (None, "Internal Server Error", None), id="empty-body-no-reason"),
]


@pytest.mark.parametrize("status, headers, body, reason, expected", SHAPES)
def test_error_shapes_through_the_client(make_client, scripted_http, status, headers, body, reason, expected):
    if isinstance(body, str):
        scripted_http.expect("GET", JOB, status=status, raw=body, response_headers=headers, reason=reason)
    else:
        scripted_http.expect("GET", JOB, status=status, body=body, response_headers=headers, reason=reason)
    with pytest.raises(ApiError) as caught:
        make_client(max_retries=0).get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    err = caught.value
    assert (err.status, err.code, err.message, err.request_id) == (status,) + expected
    assert (err.method, err.path) == ("GET", "/jobs/v2/{job_id}")


def test_parse_error_is_usable_alone():
    assert parse_error(404, {}, {"error": {"code": "NotFound", "message": "gone"}}) == ("NotFound", "gone", None)


def test_api_error_message_and_fail_json(make_client, scripted_http):
    scripted_http.expect("GET", JOB, status=404, reason="Not Found",
                         response_headers={"iothub-errorcode": "JobNotFound", "x-ms-request-id": "4c2"},
                         body={"Message": "ErrorCode:JobNotFound;Job with id 'x' not found",
                               "ExceptionMessage": "Tracking ID:abc-TimeStamp:02/05/2018 11:41:56"})
    with pytest.raises(ApiError) as caught:
        make_client().get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.msg == "GET /jobs/v2/{job_id} failed: HTTP 404 JobNotFound: Job with id 'x' not found " \
                               "(request id 4c2)"
    assert caught.value.to_fail_json() == {
        "msg": caught.value.msg, "status": 404, "error_code": "JobNotFound", "request_id": "4c2", "method": "GET",
        "path": "/jobs/v2/{job_id}"}


def test_ok_statuses_and_not_found_ok(make_client, scripted_http):
    scripted_http.expect("DELETE", JOB, status=204)
    scripted_http.expect("GET", JOB, status=404, body={"Message": "ErrorCode:JobNotFound;gone"})
    scripted_http.expect("GET", JOB, status=404)
    client = make_client()
    deleted = client.delete("/jobs/v2/{job_id}", path_params={"job_id": "j1"}, ok=(200, 204))
    assert (deleted.status, deleted.body) == (204, None)
    missing = client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"}, not_found_ok=True)
    assert missing.status == 404
    with pytest.raises(ApiError):
        client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})


def test_401_names_the_cause_and_hides_the_token_and_key(make_client, scripted_http):
    auth = SasAuth(CONNECTION_STRING)
    token = auth.token()
    sig = token.split("&sig=")[1].split("&")[0]
    echoed = "ErrorCode:IotHubUnauthorizedAccess;Unauthorized: token %s expired (key %s)" % (token, KEY)
    scripted_http.expect("GET", JOB, status=401, reason="Unauthorized", body={
        "Message": echoed, "ExceptionMessage": "Tracking ID:7d1e0c4bd0a24d3f9b0f5d9e1a2b3c4d-TimeStamp:x"})
    with pytest.raises(ApiError) as caught:
        make_client(auth=auth).get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    msg = caught.value.msg
    assert msg.startswith("GET /jobs/v2/{job_id} failed: HTTP 401 IotHubUnauthorizedAccess: Unauthorized: token ")
    assert "\n" not in msg
    assert KEY not in msg and sig not in msg and token not in msg
    assert "(request id 7d1e0c4bd0a24d3f9b0f5d9e1a2b3c4d)" in msg


def test_a_sig_in_a_server_message_is_redacted(make_client, scripted_http):
    scripted_http.expect("POST", "https://myhub.azure-devices.net/jobs/create?api-version=2021-04-12", status=400,
                         body={"Message": "ErrorCode:BlobContainerValidationError;Unauthorized to write to blob "
                                          "https://acct.blob.core.windows.net/c?sv=2022&sp=rwdl&sig=AbC%2Bdef%3D&se=1",
                               "ExceptionMessage": ""})
    with pytest.raises(ApiError) as caught:
        make_client().post("/jobs/create", json={"type": "export"})
    assert caught.value.message == ("Unauthorized to write to blob "
                                    "https://acct.blob.core.windows.net/c?sv=2022&sp=rwdl&sig=REDACTED&se=1")


def test_messages_are_one_line(make_client, scripted_http):
    scripted_http.expect("GET", JOB, status=400, body={"error": {"code": "Bad", "message": "first\r\n  second\tthird"}})
    with pytest.raises(ApiError) as caught:
        make_client().get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.message == "first second third"


# ------------------------------------------------------------------------------------------ real sockets


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_host_gives_a_one_line_error(warnings_seen):
    port = _closed_port()
    client = Client("https://127.0.0.1:%d" % port, SasAuth(CONNECTION_STRING), api_version="2021-04-12",
                    max_retries=0, timeout=5, warn=warnings_seen.append)
    with pytest.raises(TransportError) as caught:
        client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.msg == "Cannot connect to https://127.0.0.1:%d (connection refused)" % port
    assert caught.value.to_fail_json() == {"msg": caught.value.msg, "method": "GET", "path": "/jobs/v2/{job_id}"}
    assert warnings_seen == []


def test_name_resolution_failure(monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    client = Client("https://nohub.invalid", SasAuth(CONNECTION_STRING), max_retries=0, timeout=5)
    with pytest.raises(TransportError) as caught:
        client.get("/jobs")
    assert caught.value.msg == "Cannot connect to https://nohub.invalid (name resolution failed)"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        body = json.dumps({"jobId": "j1"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    context = __import__("ssl").SSLContext(__import__("ssl").PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "https://127.0.0.1:%d" % server.server_address[1], str(ca_file)
    server.shutdown()
    server.server_close()


def test_untrusted_certificate_is_a_tls_error_that_says_what_to_set(tls_server, warnings_seen):
    url, _ca = tls_server
    client = Client(url, SasAuth(CONNECTION_STRING), max_retries=3, timeout=5, warn=warnings_seen.append)
    with pytest.raises(TransportError) as caught:
        client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.msg == ("TLS certificate verification failed for %s: unable to get local issuer certificate; "
                                "set ca_path or validate_certs" % url)
    assert warnings_seen == []  # a certificate problem is not retried


def test_ca_path_makes_a_private_ca_work(tls_server):
    url, ca = tls_server
    client = Client(url, SasAuth(CONNECTION_STRING), ca_path=ca, timeout=5)
    assert client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"}).body == {"jobId": "j1"}


def test_validate_certs_false_warns_once_and_silences_urllib3(tls_server, warnings_seen, recwarn):
    url, _ca = tls_server
    client = Client(url, SasAuth(CONNECTION_STRING), validate_certs=False, timeout=5, warn=warnings_seen.append)
    client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert warnings_seen == ["TLS certificate verification is disabled (validate_certs=false): the identity of %s "
                             "is not checked" % url]
    assert not [w for w in recwarn if "Unverified HTTPS request" in str(w.message)]


def test_requests_session_is_the_default():
    client = Client("https://myhub.azure-devices.net", SasAuth(CONNECTION_STRING))
    assert isinstance(client.session, requests.Session)


@pytest.fixture(scope="module")
def plain_http_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_https_to_a_plain_http_port_is_a_handshake_error(plain_http_server):
    client = Client("https://%s" % plain_http_server, SasAuth(CONNECTION_STRING), max_retries=3, timeout=5)
    with pytest.raises(TransportError) as caught:
        client.get("/jobs")
    assert caught.value.msg.startswith("TLS handshake with https://%s failed: " % plain_http_server)
    assert "\n" not in caught.value.msg
