// xadesjs (PeculiarVentures) as an independent XAdES validator, under Node 20's WebCrypto:
// `node verify.mjs FILE` prints one JSON line per ds:Signature: whether its references and
// signature verify (with the key of the certificate in its KeyInfo), and the qualifying
// properties xadesjs read (SigningTime, the SigningCertificateV2 digest, time stamps).
// The key is the first certificate of ds:KeyInfo (the signer's): left to itself, xmldsigjs
// imports every certificate of X509Data with the signature's algorithm and stops at the
// first that does not fit (an RSA issuing CA under an ECDSA signer).
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import * as xmldom from "@xmldom/xmldom";
import xpath from "xpath";
import * as xadesjs from "xadesjs";
import { CryptoConfig, X509Certificate } from "xmldsigjs";

xadesjs.setNodeDependencies({ XMLSerializer: xmldom.XMLSerializer, DOMParser: xmldom.DOMParser,
  DOMImplementation: xmldom.DOMImplementation, xpath });
xadesjs.Application.setEngine("NodeJS", webcrypto);

const doc = xadesjs.Parse(readFileSync(process.argv[2], "utf8"));
const found = doc.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "Signature");
for (let i = 0; i < found.length; i++) {
  const signed = new xadesjs.SignedXml(doc);
  signed.LoadXml(found[i]);
  let valid = false;
  let error = null;
  try {
    const first = found[i].getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "X509Certificate")[0];
    const alg = CryptoConfig.CreateSignatureAlgorithm(signed.XmlSignature.SignedInfo.SignatureMethod);
    const cert = new X509Certificate(Buffer.from(first.textContent.replace(/\s+/g, ""), "base64"));
    const key = await cert.exportKey(alg.algorithm);  // names the curve in alg.algorithm
    signed.Algorithm = alg.algorithm;  // Verify imports the key again with this
    valid = await signed.Verify(key);
  } catch (e) { error = String(e && e.message || e); }
  const ssp = signed.SignedProperties.SignedSignatureProperties;
  const certs = ssp.SigningCertificateV2 ?? ssp.SigningCertificate;
  const digest = certs && certs.Count ? certs.Item(0).CertDigest.DigestValue : null;
  const unsigned = signed.UnsignedProperties?.UnsignedSignatureProperties;
  console.log(JSON.stringify({
    valid, error,
    signingTime: ssp.SigningTime?.Value ? ssp.SigningTime.Value.toISOString() : null,
    certDigest: digest ? Buffer.from(digest).toString("base64") : null,
    timestamps: unsigned ? unsigned.GetXml()?.getElementsByTagNameNS(
      "http://uri.etsi.org/01903/v1.3.2#", "SignatureTimeStamp").length ?? 0 : 0,
  }));
}
