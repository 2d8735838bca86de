import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose'

export const NOTIFICATION_ISSUER = 'https://api.botframework.com'
export const TENANT_CLAIM = 'http://schemas.microsoft.com/identity/claims/tenantid'

/** The notification cannot be trusted: answer 403, as Microsoft's samples do. */
export class NotificationAuthError extends Error {}

export interface NotificationClaims extends JWTPayload { tenantId: string }

/**
 * Validates the Bearer JWT on commsNotifications (what Sample.Common's AuthenticationProvider does):
 * signing keys from the OIDC document (https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration
 * in production), issuer api.botframework.com, audience the bot's app id, and a tenant claim.
 */
export function createNotificationValidator (options: { openIdConfigUrl: string, botAppId: string }) {
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined

  // Fetched on first use, not at start-up, so the bot can start before the service it talks to.
  async function keys (): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (jwks) return jwks
    const res = await fetch(options.openIdConfigUrl)
    if (!res.ok) throw new Error(`OIDC document ${options.openIdConfigUrl}: HTTP ${res.status}`)
    const { jwks_uri: jwksUri } = await res.json() as { jwks_uri: string }
    // jose caches the keys and refetches when a token names a kid it has not seen.
    jwks = createRemoteJWKSet(new URL(jwksUri))
    return jwks
  }

  return async function validate (authorization: string | undefined): Promise<NotificationClaims> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]
    if (!token) throw new NotificationAuthError('no Bearer token')
    let payload: JWTPayload
    try {
      ({ payload } = await jwtVerify(token, await keys(), { issuer: NOTIFICATION_ISSUER, audience: options.botAppId, algorithms: ['RS256'] }))
    } catch (err) {
      // A bad token is final (403); failing to reach the keys is not (5xx makes the service retry).
      if (err instanceof errors.JOSEError && !(err instanceof errors.JWKSTimeout)) throw new NotificationAuthError(err.message)
      throw err
    }
    const tenantId = payload[TENANT_CLAIM]
    if (typeof tenantId !== 'string' || tenantId === '') throw new NotificationAuthError(`no ${TENANT_CLAIM} claim`)
    return { ...payload, tenantId }
  }
}
