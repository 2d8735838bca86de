import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { addGraphAuth } from './graph-auth.js'
import { callRoutes } from './calls.js'
import { mediaRoutes } from './media.js'
import { operationRoutes } from './operations.js'

const DIAGNOSTIC = JSON.stringify({ ServerInfo: { DataCenter: 'Mock', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'graph-calling-mock' } })

/** The Graph surface with its own auth hook; /v1.0, /beta and the other spellings reach it rewritten. */
export const graphRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { settings, accessTokens } = app.mock
  app.addHook('onRequest', (_request, reply, done) => { reply.header('x-ms-ags-diagnostic', DIAGNOSTIC); done() })
  addGraphAuth(app, { mode: settings.auth, tenantId: settings.tenantId, tokens: accessTokens })
  await app.register(callRoutes)
  await app.register(mediaRoutes)
  await app.register(operationRoutes)
}
