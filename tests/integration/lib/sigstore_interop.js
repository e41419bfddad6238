// Independent Sigstore implementation for comb's interop tests: the npm
// packages @sigstore/sign, @sigstore/bundle and @sigstore/verify (installed by
// sign_verify.sh into a cache directory given as NODE_PATH).
//   node sigstore_interop.js verify BUNDLE.json PUBLIC.pem IMAGE_DIGEST
//       verify a bundle comb made (key-based, no transparency log), check that
//       the in-toto statement's subject is the image; prints "ok" or fails
//   node sigstore_interop.js sign PRIVATE.pem IMAGE_DIGEST REPOSITORY > bundle.json
//       make a DSSE bundle of an in-toto statement about the image
//   node sigstore_interop.js sign-message PRIVATE.pem MANIFEST_FILE > bundle.json
//       make a message-signature bundle over the manifest's bytes
//   node sigstore_interop.js cosign-key PRIVATE.pem PASSWORD > cosign.key
//       encrypt a key as cosign does ("ENCRYPTED SIGSTORE PRIVATE KEY": scrypt N=32768 r=8 p=1,
//       NaCl secretbox of the PKCS#8 DER) with node's scrypt and the tweetnacl package
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON, bundleToJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { DSSEBundleBuilder, MessageSignatureBundleBuilder } = require('@sigstore/sign');

function hashFor(key) {
  return key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
}

async function main() {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === 'verify') {
    const json = JSON.parse(fs.readFileSync(a, 'utf8'));
    const pub = crypto.createPublicKey(fs.readFileSync(b));
    const bundle = bundleFromJSON(json); // validates the bundle's structure
    const trust = toTrustMaterial({ certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] },
      () => ({ publicKey: pub, validFor: () => true }));
    const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0, tsaThreshold: 0 });
    verifier.verify(toSignedEntity(bundle)); // throws when the signature is bad
    const env = json.dsseEnvelope;
    const st = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
    if (!st.subject.some((s) => 'sha256:' + s.digest.sha256 === c)) throw new Error('statement subject is not ' + c);
    console.log('ok ' + json.mediaType + ' ' + st.predicateType);
  } else if (mode === 'sign' || mode === 'sign-message') {
    const priv = crypto.createPrivateKey(fs.readFileSync(a));
    const pubPem = crypto.createPublicKey(priv).export({ type: 'spki', format: 'pem' });
    const signer = {
      sign: async (data) => ({
        signature: crypto.sign(hashFor(priv), data, priv),
        key: { $case: 'publicKey', publicKey: pubPem, hint: '' },
      }),
    };
    if (mode === 'sign-message') {
      const mb = new MessageSignatureBundleBuilder({ signer, witnesses: [] });
      const bundle = await mb.create({ data: fs.readFileSync(b) });
      process.stdout.write(JSON.stringify(bundleToJSON(bundle)));
      return;
    }
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: c, digest: { sha256: b.replace(/^sha256:/, '') } }],
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      predicate: {},
    };
    const builder = new DSSEBundleBuilder({ signer, witnesses: [] });
    const bundle = await builder.create({ data: Buffer.from(JSON.stringify(statement)), type: 'application/vnd.in-toto+json' });
    process.stdout.write(JSON.stringify(bundleToJSON(bundle)));
  } else if (mode === 'cosign-key') {
    const nacl = require('tweetnacl');
    const der = crypto.createPrivateKey(fs.readFileSync(a)).export({ type: 'pkcs8', format: 'der' });
    const salt = crypto.randomBytes(32);
    const nonce = crypto.randomBytes(24);
    const key = crypto.scryptSync(Buffer.from(b, 'utf8'), salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const box = nacl.secretbox(new Uint8Array(der), new Uint8Array(nonce), new Uint8Array(key));
    const doc = {
      kdf: { name: 'scrypt', params: { N: 32768, r: 8, p: 1 }, salt: salt.toString('base64') },
      cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
      ciphertext: Buffer.from(box).toString('base64'),
    };
    const body = Buffer.from(JSON.stringify(doc)).toString('base64').match(/.{1,64}/g).join('\n');
    process.stdout.write('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n' + body + '\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n');
  } else {
    throw new Error('usage: verify|sign|sign-message|cosign-key');
  }
}
main().catch((e) => { console.error('sigstore-js: ' + (e && e.message ? e.message : e)); process.exit(1); });
