//! awl's SigV4 signer and payload hashing against the aws-sigv4 crate, side by side in one process.
//!
//! `awl-bench report`         rounds of both, interleaved; medians and ratios on stdout
//! `awl-bench sign awl N`     N signatures (for callgrind: instructions per signature)
//! `awl-bench sign sigv4 N`   the same with aws-sigv4
//!
//! Every signature of both is asserted equal before anything is timed.

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

const AKID: &str = "ASIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEJr//////////wEaDmFwLXNvdXRoZWFzdC0yIkcwRQIhAKexampletokenexampletokenexampletokenexampletoken";
const REGION: &str = "ap-southeast-2";
const HOST: &str = "s3.ap-southeast-2.amazonaws.com";
const PATH: &str = "/mysuperduperbucket/reports/2026/book.txt";
const PAYLOAD_HASH: &str = "0f1b0a2cbd5cd1ef4e4b2ba4c1c1a5f43a12ed0a1e9f4ec5bbd76d22b1f5e3c2";
const CHECKSUM: &str = "DxsKLL1c0e9OSyukwcGl9DoS7QoenxO3L1vXbSLxXjw=";

/// A typical PutObject with temporary (assumed-role) credentials, as awl sends it.
const HEADERS: &[(&str, &str)] = &[
    ("host", HOST),
    ("content-length", "1048576"),
    ("content-type", "text/plain"),
    ("x-amz-checksum-sha256", CHECKSUM),
];

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_718_400)
}

struct Awl {
    signer: awl::sign::sigv4::Signer,
    settings: awl::sign::sigv4::Settings,
}

impl Awl {
    fn new() -> Self {
        let creds = awl::identity::Credentials::new(AKID, SECRET).with_session_token(TOKEN);
        Awl {
            signer: awl::sign::sigv4::Signer::new(&creds, REGION, "s3"),
            settings: awl::sign::sigv4::Settings::s3(),
        }
    }

    fn sign(&self) -> String {
        self.sign_payload(awl::sign::sigv4::Payload::Sha256Hex(PAYLOAD_HASH))
    }

    fn sign_payload(&self, payload: awl::sign::sigv4::Payload<'_>) -> String {
        let req = awl::sign::sigv4::Request {
            method: "PUT",
            path: PATH,
            query: "",
            headers: HEADERS,
            payload,
        };
        self.signer.sign(&req, &self.settings, now()).signature().to_owned()
    }
}

struct Sigv4 {
    identity: Identity,
    settings: SigningSettings,
    url: String,
}

impl Sigv4 {
    fn new() -> Self {
        let creds = aws_credential_types::Credentials::new(AKID, SECRET, Some(TOKEN.into()), None, "bench");
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        Sigv4 {
            identity: creds.into(),
            settings,
            url: format!("https://{HOST}{PATH}"),
        }
    }

    fn sign(&self) -> String {
        self.sign_payload(SignableBody::Precomputed(PAYLOAD_HASH.to_owned()))
    }

    fn sign_payload(&self, body: SignableBody<'_>) -> String {
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(REGION)
            .name("s3")
            .time(now())
            .settings(self.settings.clone())
            .build()
            .expect("params")
            .into();
        let req = SignableRequest::new(
            "PUT",
            &self.url,
            HEADERS.iter().copied(),
            body,
        )
        .expect("signable");
        let (_, signature) = sign(req, &params).expect("signs").into_parts();
        signature
    }
}

/// Runs `f` repeatedly for about `budget`; returns calls per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        f();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn report() {
    let (a, s) = (Awl::new(), Sigv4::new());
    assert_eq!(a.sign(), s.sign(), "awl and aws-sigv4 disagree on the signature");
    // A signer made per request derives the key each time, as aws-sigv4 does.
    let fresh = || {
        let creds = awl::identity::Credentials::new(AKID, SECRET).with_session_token(TOKEN);
        Awl {
            signer: awl::sign::sigv4::Signer::new(&creds, REGION, "s3"),
            settings: awl::sign::sigv4::Settings::s3(),
        }
        .sign()
    };
    assert_eq!(fresh(), a.sign());

    let buf = vec![0x5au8; 1 << 20];
    // Payload hashing as each signer does it for a body it is given whole (1 MiB: the signing is noise).
    let hash_awl = || a.sign_payload(awl::sign::sigv4::Payload::Bytes(black_box(&buf)));
    let hash_sigv4 = || s.sign_payload(SignableBody::Bytes(black_box(&buf)));
    assert_eq!(hash_awl(), hash_sigv4(), "signatures over a hashed body differ");

    let rounds = 5;
    let budget = Duration::from_millis(400);
    let (mut sa, mut ss, mut sf, mut ha, mut hs) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        sa.push(rate(budget, || {
            black_box(a.sign());
        }));
        ss.push(rate(budget, || {
            black_box(s.sign());
        }));
        sf.push(rate(budget, || {
            black_box(fresh());
        }));
        ha.push(rate(budget, || {
            black_box(hash_awl());
        }));
        hs.push(rate(budget, || {
            black_box(hash_sigv4());
        }));
    }
    let (sa, ss, sf) = (median(sa), median(ss), median(sf));
    let (ha, hs) = (median(ha), median(hs));
    println!("sign_awl_per_s {sa:.0}");
    println!("sign_awl_fresh_key_per_s {sf:.0}");
    println!("sign_sigv4_per_s {ss:.0}");
    println!("sign_ratio {:.2}", sa / ss);
    println!("sign_fresh_key_ratio {:.2}", sf / ss);
    println!("hash_awl_mb_s {ha:.0}");
    println!("hash_sigv4_mb_s {hs:.0}");
}

/// JMESPath on a 100-object listing (as an s3api list-objects-v2 page would hold): microseconds to compile,
/// and to compile and evaluate, for expressions scripts use; medians of 5 rounds.
fn jmespath() {
    let items: Vec<String> = (0..100)
        .map(|i| {
            format!(
                r#"{{"Key": "logs/2026/12/{i:04}.gz", "Size": {}, "StorageClass": "{}", "LastModified": "2026-12-0{}T10:00:00+00:00"}}"#,
                i * 1000 + 7,
                if i % 3 == 0 { "GLACIER" } else { "STANDARD" },
                i % 9 + 1
            )
        })
        .collect();
    let doc = awl::codec::json::parse(&format!(r#"{{"Contents": [{}], "KeyCount": 100}}"#, items.join(",")))
        .expect("document");
    for expr in [
        "Contents[].Key",
        "Contents[?Size > `50000`].{k: Key, s: Size}",
        "sort_by(Contents, &Size)[-1].Key",
        "sum(Contents[?StorageClass == 'GLACIER'].Size)",
        "length(Contents[?starts_with(Key, 'logs/2026/12/00')])",
    ] {
        let compiled = awl::codec::jmespath::compile(expr).expect("compiles");
        let result = compiled.search(&doc).expect("evaluates");
        black_box(result);
        let (mut c, mut e) = (vec![], vec![]);
        for _ in 0..5 {
            c.push(1e6 / rate(Duration::from_millis(200), || {
                black_box(awl::codec::jmespath::compile(black_box(expr)).ok());
            }));
            e.push(1e6 / rate(Duration::from_millis(200), || {
                let x = awl::codec::jmespath::compile(black_box(expr)).expect("compiles");
                black_box(x.search(black_box(&doc)).ok());
            }));
        }
        println!("| `{expr}` | {:.2} | {:.2} |", median(c), median(e));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["report"] => report(),
        ["jmespath"] => jmespath(),
        ["sign", which, n] => {
            let n: u64 = n.parse().expect("a count");
            match *which {
                "awl" => {
                    let a = Awl::new();
                    for _ in 0..n {
                        black_box(a.sign());
                    }
                }
                "sigv4" => {
                    let s = Sigv4::new();
                    for _ in 0..n {
                        black_box(s.sign());
                    }
                }
                other => panic!("unknown signer {other}"),
            }
        }
        _ => {
            eprintln!("usage: awl-bench report | awl-bench sign awl|sigv4 N");
            std::process::exit(2);
        }
    }
}
