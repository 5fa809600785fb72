//! TLS with a CA bundle (`AWS_CA_BUNDLE`, `ca_bundle`): the bundle's certificates replace the built-in roots,
//! and a self-signed certificate that the bundle lists is also accepted when the server presents it as its
//! own, for the names it carries and while it is valid, as the AWS CLI (OpenSSL) accepts it. Air-gapped
//! S3-compatible stores commonly use one; webpki alone refuses it (`CaUsedAsEndEntity`). Nothing else about
//! verification loosens.
//!
//! ureq takes no verifier of ours, so this is the TLS step of the agent's connector chain (TCP, then a
//! `CONNECT` proxy, then this), over ureq's own transport pieces.

use crate::codec::der;
use crate::error::{Error, Result};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme, StreamOwned,
};
use std::io::{Read, Write};
use std::sync::Arc;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport, TransportAdapter,
};

/// The verifier: webpki over the bundle's roots, and the bundle's self-signed certificates as servers' own.
#[derive(Debug)]
struct BundleVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    self_signed: Vec<CertificateDer<'static>>,
}

impl BundleVerifier {
    /// Whether `cert` is one of the bundle's self-signed certificates, valid `now`, for `name`.
    fn listed(&self, cert: &CertificateDer<'_>, name: &ServerName<'_>, now: UnixTime) -> bool {
        let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        self.self_signed.iter().any(|c| c.as_ref() == cert.as_ref())
            && der::certificate(cert).is_some_and(|f| f.valid_at(now))
            && ParsedCertificate::try_from(cert)
                .is_ok_and(|p| rustls::client::verify_server_name(&p, name).is_ok())
    }
}

impl ServerCertVerifier for BundleVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .webpki
            .verify_server_cert(end_entity, intermediates, name, ocsp, now)
        {
            Err(_) if self.listed(end_entity, name, now) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// The TLS step of a connector chain, verifying with a CA bundle.
#[derive(Debug)]
pub struct BundleTls {
    config: Arc<ClientConfig>,
}

impl BundleTls {
    /// TLS that trusts the bundle's certificates (`path` names it in errors).
    pub fn new(certs: Vec<CertificateDer<'static>>, path: &str) -> Result<Self> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        let (added, _) = roots.add_parsable_certificates(certs.iter().cloned());
        let self_signed: Vec<_> = certs
            .into_iter()
            .filter(|c| der::certificate(c).is_some_and(|f| f.self_issued()))
            .collect();
        if added == 0 && self_signed.is_empty() {
            return Err(
                Error::config(format!("the CA bundle {path} holds no usable certificate"))
                    .with_hint("it must contain -----BEGIN CERTIFICATE----- blocks"),
            );
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| Error::config(format!("the CA bundle {path} cannot be used: {e}")).with_source(e))?;
        let config = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(rustls::ALL_VERSIONS)
            .map_err(|e| Error::config(format!("TLS cannot be set up: {e}")).with_source(e))?
            .dangerous()
            // Not dangerous: webpki's verification first, then only an exact certificate of the bundle.
            .with_custom_certificate_verifier(Arc::new(BundleVerifier { webpki, self_signed }))
            .with_no_client_auth();
        Ok(BundleTls {
            config: Arc::new(config),
        })
    }
}

impl<In: Transport> Connector<In> for BundleTls {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details
            .uri
            .host()
            .ok_or(ureq::Error::Tls("no host to verify"))?
            .trim_start_matches('[')
            .trim_end_matches(']');
        let name = ServerName::try_from(host.to_owned()).map_err(|_| ureq::Error::Tls("not a host name"))?;
        let mut conn = ClientConnection::new(self.config.clone(), name)?;
        let mut sock = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        sock.set_timeout(details.timeout);
        conn.complete_io(&mut sock)?;
        Ok(Some(Either::B(TlsTransport {
            buffers: LazyBuffers::new(
                details.config.input_buffer_size(),
                details.config.output_buffer_size(),
            ),
            stream: StreamOwned { conn, sock },
        })))
    }
}

/// A TLS connection made by [`BundleTls`].
pub struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl std::fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsTransport")
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let n = self.stream.read(input)?;
        self.buffers.input_appended(n);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}
