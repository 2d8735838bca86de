import { generateKeyPair, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose'

const generate = promisify(generateKeyPair)

/** The RSA key pair that signs access tokens and notification tokens, published as a JWKS. */
export interface SigningKey {
  privateKey: KeyObject
  publicKey: KeyObject
  kid: string
  /** The public JWK with kid, use and alg, as the JWKS serves it. */
  jwk: JWK
}

/** Reads a PEM private key, or generates a 2048-bit key off the main thread. */
export async function loadSigningKey (file?: string): Promise<SigningKey> {
  let privateKey: KeyObject
  if (file) {
    const pem = await readFile(file, 'utf8').catch((err: Error) => { throw new Error(`SIGNING_KEY_FILE cannot be read: ${err.message}`) })
    try { privateKey = createPrivateKey(pem) } catch (err) { throw new Error(`SIGNING_KEY_FILE is not a PEM private key: ${(err as Error).message}`) }
    if (privateKey.asymmetricKeyType !== 'rsa') throw new Error(`SIGNING_KEY_FILE must hold an RSA key, not ${String(privateKey.asymmetricKeyType)}`)
  } else {
    privateKey = (await generate('rsa', { modulusLength: 2048 })).privateKey
  }
  const publicKey = createPublicKey(privateKey)
  const base = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(base)
  return { privateKey, publicKey, kid, jwk: { ...base, kid, use: 'sig', alg: 'RS256' } }
}
