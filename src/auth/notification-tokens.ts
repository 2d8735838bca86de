import { SignJWT } from 'jose'
import type { SigningKey } from './signing-key.js'

export const NOTIFICATION_ISSUER = 'https://api.botframework.com'
const LIFETIME_SECONDS = 3600
const REUSE_SECONDS = 300

/**
 * Tokens the mock puts on notification POSTs (docs/pointing-your-bot.md): RS256, iss api.botframework.com, aud the bot's app
 * id, both tenant claims. They use wall time, since the bot checks them against its own clock. One token
 * per tenant is reused for a few minutes, as a token service would, to keep signing off the hot path.
 */
export function createNotificationTokens (deps: { key: () => Promise<SigningKey>, botAppId: string }) {
  const cache = new Map<string, { token: string, renewAt: number }>()
  return {
    async tokenFor (tenantId: string): Promise<string> {
      const hit = cache.get(tenantId)
      const nowSec = Math.floor(Date.now() / 1000)
      if (hit && hit.renewAt > nowSec) return hit.token
      const key = await deps.key()
      const token = await new SignJWT({ tid: tenantId, 'http://schemas.microsoft.com/identity/claims/tenantid': tenantId, serviceurl: 'https://api.botframework.com' })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
        .setIssuer(NOTIFICATION_ISSUER)
        .setAudience(deps.botAppId)
        .setIssuedAt(nowSec)
        .setNotBefore(nowSec)
        .setExpirationTime(nowSec + LIFETIME_SECONDS)
        .sign(key.privateKey)
      cache.set(tenantId, { token, renewAt: nowSec + REUSE_SECONDS })
      return token
    }
  }
}

export type NotificationTokens = ReturnType<typeof createNotificationTokens>
