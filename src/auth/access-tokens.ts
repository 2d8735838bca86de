import { randomUUID } from 'node:crypto'
import { SignJWT, jwtVerify, errors } from 'jose'
import type { Clock } from '../clock/clock.js'
import type { SigningKey } from './signing-key.js'

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com'
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3599

export interface AccessTokenClaims { roles: string[], appid: string, tid: string }

/** The issuers Entra ID writes into a tenant's tokens: v1.0 (the mock's) and v2.0. */
export function tenantIssuers (tenant: string): string[] {
  return [`https://sts.windows.net/${tenant}/`, `https://login.microsoftonline.com/${tenant}/v2.0`]
}

/**
 * App-only access tokens for Graph, as the mock's token endpoint issues them. Lifetimes run on the mock's
 * clock, so a test can advance the manual clock past expiry and see 401.
 */
export function createAccessTokens (deps: { key: () => Promise<SigningKey>, clock: Clock }) {
  const nowDate = (): Date => new Date(deps.clock.isoAt())

  return {
    async issue (clientId: string, tenant: string, roles: string[]): Promise<string> {
      const key = await deps.key()
      const iat = Math.floor(nowDate().getTime() / 1000)
      return await new SignJWT({ roles, appid: clientId, azp: clientId, tid: tenant, oid: randomUUID(), idtyp: 'app', ver: '1.0' })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
        .setIssuer(tenantIssuers(tenant)[0])
        .setAudience(GRAPH_AUDIENCE)
        .setSubject(clientId)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(iat + ACCESS_TOKEN_LIFETIME_SECONDS)
        .setJti(randomUUID())
        .sign(key.privateKey)
    },

    /**
     * Verifies a token this mock issued for `tenant` (TENANT_ID): signature, audience, lifetime, and that
     * its tid and iss are that tenant's. The message says why it is not valid (Graph's wording first).
     */
    async verify (token: string, tenant: string): Promise<{ ok: true, claims: AccessTokenClaims } | { ok: false, message: string }> {
      const key = await deps.key()
      try {
        const { payload } = await jwtVerify(token, key.publicKey, { audience: GRAPH_AUDIENCE, algorithms: ['RS256'], currentDate: nowDate(), clockTolerance: 0 })
        if (payload.tid !== tenant) return { ok: false, message: `Access token validation failure. Invalid tenant: the token is for tenant '${String(payload.tid ?? '')}', not this mock's TENANT_ID '${tenant}'.` }
        if (!tenantIssuers(tenant).includes(String(payload.iss))) return { ok: false, message: `Access token validation failure. Invalid issuer: '${String(payload.iss ?? '')}' is not an issuer of tenant '${tenant}'.` }
        const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : []
        return { ok: true, claims: { roles, appid: String(payload.appid ?? ''), tid: String(payload.tid ?? '') } }
      } catch (err) {
        if (err instanceof errors.JWTExpired) return { ok: false, message: 'Lifetime validation failed, the token is expired.' }
        if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') return { ok: false, message: 'Access token validation failure. Invalid audience.' }
        if (err instanceof errors.JWSSignatureVerificationFailed) return { ok: false, message: 'Access token validation failure. Invalid signature.' }
        return { ok: false, message: 'Access token validation failure.' }
      }
    }
  }
}

export type AccessTokens = ReturnType<typeof createAccessTokens>
