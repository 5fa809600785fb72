//! A service's error answer read into facts: the `<Code>` looked for anywhere (S3 `<Error>`, STS
//! `<ErrorResponse><Error>`, or `<ErrorResponse><Errors><Error>` as moto writes it), the message, the request id
//! (from the body, else the `x-amzn-requestid` / `x-amz-request-id` header) and the region a wrong-region
//! answer names. Server text is sanitised (and a message redacted) before it can be shown.

use crate::codec::{redact, xml};
use crate::error::{Error, ServiceFacts};
use crate::transport::request::Response;

/// The facts of an error answer of `service` (`STS`, `S3`) with `status` and `body`.
pub fn facts(
    service: &'static str,
    status: u16,
    request_id_header: Option<&str>,
    body: &[u8],
) -> ServiceFacts {
    let text = String::from_utf8_lossy(body);
    let doc = xml::parse(&text).ok();
    let pick = |name: &str| {
        doc.as_ref()
            .and_then(|d| d.find(name))
            .map(|e| redact::sanitize(e.text.trim(), 300))
            .filter(|s| !s.is_empty())
    };
    ServiceFacts {
        service,
        status,
        code: pick("Code").unwrap_or_else(|| format!("HTTP{status}")),
        // A message may repeat what it refused (`Token: ...`): masked by the trace's rules, then shown.
        message: pick("Message")
            .map(|m| redact::sanitize(&redact::body(&m), 300))
            .unwrap_or_default(),
        request_id: pick("RequestId").or_else(|| request_id_header.map(|h| redact::sanitize(h, 100))),
        region: pick("Region"),
    }
}

/// The request id header of an answer (STS writes `x-amzn-requestid`, S3 `x-amz-request-id`).
fn request_id_header(resp: &Response) -> Option<&str> {
    resp.header("x-amzn-requestid")
        .or_else(|| resp.header("x-amz-request-id"))
}

/// The facts of an error answer.
pub fn of_response(service: &'static str, resp: &Response) -> ServiceFacts {
    facts(service, resp.status, request_id_header(resp), &resp.body)
}

/// The error code of an answer (`HTTP<status>` when its body names none), for retry decisions.
pub fn code(resp: &Response) -> String {
    facts("", resp.status, None, &resp.body).code
}

/// An error answer as awl's error (exit 254): `context: STS AccessDenied (HTTP 403): message (after N
/// attempts) [request id ...]`.
pub fn error(service: &'static str, context: &str, resp: &Response) -> Error {
    Error::service(context, of_response(service, resp)).with_attempts(resp.attempts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_from_sts_s3_and_moto() {
        let sts = br#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>
            <Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code.</Message>
            </Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"#;
        let e = facts("STS", 403, None, sts);
        assert_eq!(
            (e.code.as_str(), e.request_id.as_deref()),
            ("AccessDenied", Some("c6104cbe-af31-11e0-8154-cbc7ccf896c7"))
        );
        assert!(e.message.starts_with("MultiFactorAuthentication failed"));
        let moto = b"<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>bad\x1b[2J</Message></Error></Errors></ErrorResponse>";
        let e = facts("STS", 403, Some("rid"), moto);
        assert_eq!(
            (e.code.as_str(), e.message.as_str(), e.request_id.as_deref()),
            ("InvalidClientTokenId", "bad\\u{1b}[2J", Some("rid"))
        );
        let s3 =
            b"<Error><Code>PermanentRedirect</Code><Message>m</Message><Region>eu-west-1</Region></Error>";
        assert_eq!(facts("S3", 301, None, s3).region.as_deref(), Some("eu-west-1"));
        let e = facts("S3", 503, Some("abc"), b"");
        assert_eq!(e.code, "HTTP503");
        let err = Error::service("ListBuckets", e);
        assert_eq!(err.exit_code(), 254);
        assert_eq!(err.service_code(), Some("HTTP503"));
        assert_eq!(
            err.to_string(),
            "ListBuckets: S3 HTTP503 (HTTP 503) [request id abc]"
        );
    }

    #[test]
    fn a_message_that_repeats_a_secret_is_masked() {
        let body = b"<Error><Code>InvalidToken</Code><Message>bad x-amz-security-token: FQoGZXIvYXdzEXAMPLE \
                     or SessionToken=FQoGZXIvYXdzOTHER</Message></Error>";
        let m = facts("S3", 400, None, body).message;
        assert!(
            !m.contains("FQoG") && m.starts_with("bad x-amz-security-token: "),
            "{m}"
        );
    }
}
