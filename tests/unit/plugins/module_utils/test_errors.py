# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_errors: messages, fail_json arguments, redaction."""

from __future__ import annotations

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    CollectionError,
    ConnectionStringError,
    TransportError,
    ValidationError,
    one_line,
    redact,
)


@pytest.mark.parametrize("code, message, request_id, msg", [
    ("JobNotFound", "Job with id 'x' not found", "4c2",
     "GET /jobs/v2/{job_id} failed: HTTP 404 JobNotFound: Job with id 'x' not found (request id 4c2)"),
    (None, "Not Found", None, "GET /jobs/v2/{job_id} failed: HTTP 404: Not Found"),
    ("JobNotFound", "", None, "GET /jobs/v2/{job_id} failed: HTTP 404 JobNotFound"),
])
def test_api_error_msg(code, message, request_id, msg):
    err = ApiError(404, code, message, request_id, "GET", "/jobs/v2/{job_id}")
    assert err.msg == str(err) == msg
    assert err.to_fail_json() == dict(msg=msg, status=404, error_code=code, request_id=request_id, method="GET",
                                      path="/jobs/v2/{job_id}")


def test_api_error_keeps_body_and_headers_out_of_fail_json():
    err = ApiError(409, "JobAlreadyExists", "exists", None, "PUT", "/jobs/v2/{job_id}", body={"Message": "x"},
                   headers={"x-ms-request-id": "r"})
    assert (err.body, err.headers) == ({"Message": "x"}, {"x-ms-request-id": "r"})
    assert set(err.to_fail_json()) == {"msg", "status", "error_code", "request_id", "method", "path"}


def test_append_to_msg():
    err = TransportError("Cannot connect to https://h (connection refused)", method="GET", path="/jobs")
    err.append_to_msg("(gave up after 3 attempts in 7.0 s)")
    assert str(err) == err.msg == "Cannot connect to https://h (connection refused) (gave up after 3 attempts in 7.0 s)"
    assert err.to_fail_json() == dict(msg=err.msg, method="GET", path="/jobs")


def test_plain_errors_fail_json():
    assert ValidationError("wait_timeout must be > 0").to_fail_json() == {"msg": "wait_timeout must be > 0"}
    assert CollectionError("x", job={"id": 1}, empty=None).to_fail_json() == {"msg": "x", "job": {"id": 1}}


def test_hierarchy():
    for kind in (ValidationError, AuthError, ApiError, TransportError):
        assert issubclass(kind, CollectionError)
    assert issubclass(ConnectionStringError, ValidationError) and issubclass(ConnectionStringError, AuthError)


def test_redact():
    text = "GET https://a/b?sv=1&sig=Ab%2Bc%3D&se=2 failed for key K3y== and token SharedAccessSignature sr=x&sig=s"
    assert redact(text, ["K3y==", None, ""]) == ("GET https://a/b?sv=1&sig=REDACTED&se=2 failed for key ******** and "
                                                 "token SharedAccessSignature sr=x&sig=REDACTED")


def test_one_line():
    assert one_line("a\n  b\r\n\tc") == "a b c"
    assert one_line("x" * 50, limit=10) == "xxxxxxx..."
