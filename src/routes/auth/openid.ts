import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { NOTIFICATION_ISSUER } from '../../auth/notification-tokens.js'

/**
 * The OpenID documents and JWKS a bot uses to validate notification tokens (docs/pointing-your-bot.md),
 * standing in for https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration, plus the tenant's
 * document for the mock's own access tokens.
 */
export const openIdRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { key, baseUrl } = app.mock
  const jwksUri = (): string => `${baseUrl()}/v1/.well-known/keys`

  const botFrameworkDocument = async (): Promise<Record<string, unknown>> => ({
    issuer: NOTIFICATION_ISSUER,
    authorization_endpoint: `${baseUrl()}/v1/authorize`,
    jwks_uri: jwksUri(),
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['private_key_jwt']
  })
  app.get('/v1/.well-known/OpenIdConfiguration', botFrameworkDocument)
  app.get('/.well-known/openid-configuration', botFrameworkDocument)

  const jwks = async (): Promise<Record<string, unknown>> => ({ keys: [(await key()).jwk] })
  app.get('/v1/.well-known/keys', jwks)
  app.get('/.well-known/jwks.json', jwks)

  app.get('/:tenant/v2.0/.well-known/openid-configuration', { schema: { params: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }) }) } }, async (request) => ({
    issuer: `https://sts.windows.net/${request.params.tenant}/`,
    token_endpoint: `${baseUrl()}/${request.params.tenant}/oauth2/v2.0/token`,
    jwks_uri: jwksUri(),
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
    grant_types_supported: ['client_credentials']
  }))
}
