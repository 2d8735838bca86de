import { generateKeyPair, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose'
import { SettingsError, settingInfo } from '../config/load-settings.js'

const generate = promisify(generateKeyPair)

/** The RSA key pair that signs access tokens and notification tokens, published as a JWKS. */
export interface SigningKey {
  privateKey: KeyObject
  publicKey: KeyObject
  kid: string
  /** The public JWK with kid, use and alg, as the JWKS serves it. */
  jwk: JWK
}

/** Reads a PEM private key, or generates a 2048-bit key off the main thread. A bad file is a SettingsError naming SIGNING_KEY_FILE. */
export async function loadSigningKey (file?: string): Promise<SigningKey> {
  let privateKey: KeyObject
  if (file) {
    const bad = (rule: string): SettingsError => new SettingsError(settingInfo('signingKeyFile'), file, rule)
    const pem = await readFile(file, 'utf8').catch((err: Error) => { throw bad(`cannot be read: ${err.message}`) })
    try { privateKey = createPrivateKey(pem) } catch (err) { throw bad(`is not a PEM private key: ${(err as Error).message}`) }
    if (privateKey.asymmetricKeyType !== 'rsa') throw bad(`must hold an RSA key, not ${String(privateKey.asymmetricKeyType)}`)
  } else {
    privateKey = (await generate('rsa', { modulusLength: 2048 })).privateKey
  }
  const publicKey = createPublicKey(privateKey)
  const base = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(base)
  return { privateKey, publicKey, kid, jwk: { ...base, kid, use: 'sig', alg: 'RS256' } }
}
