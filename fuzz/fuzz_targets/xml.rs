//! The XML reader, the service-error reader and every S3 answer parser (listings, through the paginator's
//! checks of their order too) must never panic, whatever the bytes.
#![no_main]

use awl::codec::xml::{escape, parse};
use awl::s3::object::ObjectRef;
use awl::s3::operation::Operation;
use awl::s3::ops::delete::DeleteObjects;
use awl::s3::ops::list_buckets::ListBuckets;
use awl::s3::ops::list_parts::ListParts;
use awl::s3::ops::list_objects::ListObjectsV2;
use awl::s3::ops::list_uploads::ListMultipartUploads;
use awl::s3::ops::multipart::{CreateMultipartUpload, Upload, UploadPartCopy};
use awl::s3::paginate::Listing;
use awl::transport::request::Response;
use awl::transport::service_error::facts;
use libfuzzer_sys::fuzz_target;

fn listing<L: Listing>(l: &L, data: &[u8]) {
    if let Ok(page) = l.parse(data) {
        let _ = l.check_order(&page.items, &mut Default::default());
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = facts("S3", 400, Some("id"), data);
    if let Ok(text) = std::str::from_utf8(data) {
        // What is escaped reads back unchanged.
        if let Ok(doc) = parse(&format!("<K>{}</K>", escape(text))) {
            assert_eq!(doc.text, text);
        }
        if let Ok(doc) = parse(text) {
            let _ = doc.find("Code");
        }
    }
    listing(&ListObjectsV2::new("b", "p/").grouped(Some("/")), data);
    listing(&ListBuckets, data);
    listing(&ListMultipartUploads { bucket: "b".into() }, data);
    listing(
        &ListParts(&Upload {
            target: ObjectRef::new("b", "k"),
            id: "i".into(),
        }),
        data,
    );
    let _ = awl::sts::parse_assume_role(data);
    let _ = awl::sts::parse_caller_identity(data);
    let resp = Response {
        status: 200,
        headers: Vec::new(),
        body: data.to_vec(),
        attempts: 1,
    };
    let target = ObjectRef::new("b", "k");
    let _ = DeleteObjects {
        bucket: "b",
        objects: &[],
    }
    .parse(resp.clone());
    let opts = Default::default();
    let _ = CreateMultipartUpload {
        target: &target,
        opts: &opts,
        checksum: None,
    }
    .parse(resp.clone());
    let upload = Upload {
        target: target.clone(),
        id: "i".into(),
    };
    let _ = UploadPartCopy {
        upload: &upload,
        src: &target,
        number: 1,
        first: 0,
        last: 0,
    }
    .parse(resp);
});
