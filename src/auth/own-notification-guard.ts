import type { FastifyInstance } from 'fastify'
import { compactVerify } from 'jose'
import { GraphError } from '../errors/graph-error.js'
import { NOTIFICATION_ISSUER } from './notification-tokens.js'
import type { SigningKey } from './signing-key.js'

/** The one route meant to receive the mock's notifications: the built-in bot stand-in. */
const CALLBACK_SINK = '/_mock/callback-sink'
/** Longer Authorization values cannot be the mock's notification tokens (about 700 characters); not decoded. */
const MAX_TOKEN_CHARS = 4096

export const ownNotificationTokenRefused = (): GraphError => new GraphError(403, 'Forbidden',
  `The request carries a notification token this mock signed (iss ${NOTIFICATION_ISSUER}): the mock does not act on its own notifications. A callbackUri probably points at the mock itself.`)

/**
 * The bearer token when its payload says it was issued for notifications; undefined otherwise. It only
 * decodes the payload (no signature check), so requests with any other token pay a split and a parse.
 */
export function notificationIssued (authorization: string | undefined): string | undefined {
  if (typeof authorization !== 'string' || authorization.length > MAX_TOKEN_CHARS || !/^Bearer\s/i.test(authorization)) return undefined
  const token = authorization.slice(7).trim()
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { iss?: unknown }
    return payload?.iss === NOTIFICATION_ISSUER ? token : undefined
  } catch {
    return undefined
  }
}

/**
 * Refuses (403, before anything else runs) every request whose Authorization is a notification token
 * this mock signed, so a callbackUri pointing at the mock's Graph or control API cannot make it act on
 * its own notifications. The signature is checked only for tokens whose payload claims the notification
 * issuer, so other requests pay no verification.
 */
export function refuseOwnNotificationTokens (app: FastifyInstance, deps: { key: () => Promise<SigningKey> }): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const token = notificationIssued(request.headers.authorization)
    if (token === undefined || request.routeOptions.url === CALLBACK_SINK) { done(); return }
    deps.key()
      .then(async (key) => await compactVerify(token, key.publicKey, { algorithms: ['RS256'] }))
      .then(() => { done(ownNotificationTokenRefused()) }, () => { done() })
  })
}
