import { randomUUID } from 'node:crypto'
import formBody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { ACCESS_TOKEN_LIFETIME_SECONDS } from '../../auth/access-tokens.js'
import { CALLING_ROLES } from '../../auth/permissions.js'

/** The token endpoint answers errors the way Microsoft Entra ID does, not in Graph's shape (it is not Graph). */
function aadError (reply: FastifyReply, status: number, error: string, code: number, description: string): FastifyReply {
  const traceId = randomUUID()
  return reply.code(status).send({
    error,
    error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${reply.request.id}\r\nTimestamp: ${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z`,
    error_codes: [code],
    timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
    trace_id: traceId,
    correlation_id: reply.request.id
  })
}

const TENANT_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const TokenParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }) })

/**
 * POST /{tenant}/oauth2/v2.0/token (client_credentials): RS256 app tokens with the calling roles. A
 * mock-only `roles` form field (space-separated) narrows the roles, to test 403s under AUTH=strict.
 */
export const tokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(formBody, { bodyLimit: 64 * 1024 })
  const { accessTokens, settings } = app.mock
  // The mock is one tenant. Entra ID resolves a domain name (or common/organizations) to a tenant id; here
  // every name that is not a tenant id resolves to TENANT_ID, so only another tenant's id gives a token
  // that AUTH=strict refuses as another tenant's.
  const tenantOf = (segment: string): string => segment === settings.tenantId || TENANT_GUID.test(segment) ? segment : settings.tenantId
  // Malformed requests to this endpoint (bad JSON, wrong content type, huge bodies) get Entra ID's shape too.
  app.setErrorHandler(async (error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
    return aadError(reply, status, 'invalid_request', 900144, `The request is not valid: ${error.message}`)
  })

  app.post('/:tenant/oauth2/v2.0/token', { schema: { params: TokenParams } }, async (request, reply) => {
    const form = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>
    const field = (name: string): string | undefined => typeof form[name] === 'string' ? form[name] : undefined
    if (field('grant_type') === undefined) return aadError(reply, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.")
    if (field('grant_type') !== 'client_credentials') return aadError(reply, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${field('grant_type')!}'.`)
    const clientId = field('client_id')
    if (!clientId) return aadError(reply, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.")
    if (!field('client_secret') && !field('client_assertion')) return aadError(reply, 401, 'invalid_client', 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
    const scope = field('scope')
    if (!scope || !/\/\.default$/.test(scope)) return aadError(reply, 400, 'invalid_scope', 1002012, `The provided value for scope ${scope ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`)
    const asked = field('roles')?.split(/\s+/).filter(Boolean)
    const roles = asked ?? [...CALLING_ROLES]
    const token = await accessTokens.issue(clientId, tenantOf(request.params.tenant), roles)
    return { token_type: 'Bearer', expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, access_token: token }
  })
}
