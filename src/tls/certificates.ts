import { generateKeyPair, privateEncrypt, randomBytes, constants, type KeyObject } from 'node:crypto'
import { isIP } from 'node:net'
import { promisify } from 'node:util'
import forge from 'node-forge'

/** PEM texts of a server certificate, its key, and the CA that signed it (what a client must trust). */
export interface TlsMaterial {
  caCert: string
  cert: string
  key: string
}

const generateRsa = promisify(generateKeyPair)

/** Both certificates are good for a year; notBefore is a day back, for containers whose clocks lag. */
const VALIDITY_MS = 365 * 24 * 3600 * 1000
const BACKDATE_MS = 24 * 3600 * 1000

/** DER prefix of a SHA-256 DigestInfo (RFC 8017 section 9.2): what PKCS #1 v1.5 signs with the hash. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex')

/**
 * node-forge builds the certificates; the RSA work runs in Node's crypto: key generation on the thread
 * pool, and each signature as one native private-key operation rather than forge's JavaScript big
 * numbers (which held the event loop for tens of milliseconds per certificate).
 */
function nativeSigner (privateKey: KeyObject): { sign: (md: forge.md.MessageDigest) => string } {
  return {
    sign: (md) => {
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')])
      return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary')
    }
  }
}

async function rsaKeys (): Promise<{ publicKey: KeyObject, privateKey: KeyObject }> {
  return await generateRsa('rsa', { modulusLength: 2048 })
}

function forgePublicKey (key: KeyObject): forge.pki.PublicKey {
  return forge.pki.publicKeyFromPem(key.export({ type: 'spki', format: 'pem' }) as string)
}

/** A positive serial of 16 random bytes (RFC 5280 section 4.1.2.2 allows up to 20). */
function serialNumber (): string {
  const bytes = randomBytes(16)
  bytes[0] &= 0x7f
  return bytes.toString('hex')
}

function certificate (subject: string, issuer: string, publicKey: KeyObject, extensions: unknown[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = forgePublicKey(publicKey)
  cert.serialNumber = serialNumber()
  const now = Date.now()
  cert.validity.notBefore = new Date(now - BACKDATE_MS)
  cert.validity.notAfter = new Date(now + VALIDITY_MS)
  cert.setSubject([{ name: 'commonName', value: subject }])
  cert.setIssuer([{ name: 'commonName', value: issuer }])
  cert.setExtensions(extensions as never)
  return cert
}

/** subjectAltName entries: IP addresses as IPs (type 7), the rest as DNS names (type 2). */
function altNames (hosts: string[]): Array<{ type: number, value?: string, ip?: string }> {
  const unique = [...new Set(hosts.map((h) => h.replace(/^\[|\]$/g, '').toLowerCase()).filter((h) => h !== ''))]
  return unique.map((h) => isIP(h) !== 0 ? { type: 7, ip: h } : { type: 2, value: h })
}

const CA_NAME = 'graph-calling-mock local CA'

/**
 * A CA made for this run and a server certificate it signs for `hosts` (names or IP addresses), so a
 * client that trusts the CA (NODE_EXTRA_CA_CERTS, or `ca:` in node:https) verifies the mock like any
 * https server.
 */
export async function createTlsMaterial (hosts: string[]): Promise<TlsMaterial> {
  const [caKeys, serverKeys] = await Promise.all([rsaKeys(), rsaKeys()])
  const ca = certificate(CA_NAME, CA_NAME, caKeys.publicKey, [
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' }
  ])
  ca.sign(nativeSigner(caKeys.privateKey) as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create())

  const server = certificate(hosts[0] ?? 'localhost', CA_NAME, serverKeys.publicKey, [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNames(hosts) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() }
  ])
  server.sign(nativeSigner(caKeys.privateKey) as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create())

  return {
    caCert: forge.pki.certificateToPem(ca),
    cert: forge.pki.certificateToPem(server),
    key: serverKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  }
}
