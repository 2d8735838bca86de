import type { FastifyInstance, FastifyRequest } from 'fastify'
import { PERMISSIONS, type PermissionSet } from '../../auth/permissions.js'
import type { AccessTokens } from '../../auth/access-tokens.js'
import type { Settings } from '../../config/settings.js'
import { type GraphError, graphErrors } from '../../errors/graph-error.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The app roles any one of which the route needs under AUTH=strict. */
    permissions?: PermissionSet
  }
}

function bearerToken (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
  return match?.[1]
}

/** Why a verified token may not call this route under AUTH=strict; undefined when it may. */
function strictAuthError (request: FastifyRequest, result: Awaited<ReturnType<AccessTokens['verify']>>): GraphError | undefined {
  if (!result.ok) return graphErrors.unauthenticated(result.message)
  // Fails closed: a Graph route that declares no permission set is refused rather than left open.
  const needed = request.routeOptions.config.permissions
  if (!needed || !PERMISSIONS[needed].some((role) => result.claims.roles.includes(role))) return graphErrors.forbidden()
  return undefined
}

/**
 * Graph checks the token before anything else, so this runs onRequest, before the
 * body is even parsed. Registered inside the Graph routes' plugin only.
 */
export function addGraphAuth (app: FastifyInstance, deps: { mode: Settings['auth'], tenantId: string, tokens: AccessTokens }): void {
  if (deps.mode === 'none') return
  app.addHook('onRequest', (request, _reply, done) => {
    const token = bearerToken(request)
    if (!token) throw graphErrors.unauthenticated(request.headers.authorization ? 'Access token validation failure. The Authorization header must be "Bearer {token}".' : 'Access token is empty.')
    // Callback-style: bearer mode (the default) checks the header only, so it costs no promise.
    if (deps.mode !== 'strict') { done(); return }
    deps.tokens.verify(token, deps.tenantId).then((result) => { done(strictAuthError(request, result)) }, done)
  })
}
