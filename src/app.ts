import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { clientRequestIdOf, errorHandler, notFoundHandler } from './errors/error-handler.js'
import type { Mock } from './mock.js'
import { refuseOwnNotificationTokens } from './auth/own-notification-guard.js'
import { graphRoutes } from './routes/graph/index.js'
import { tokenRoutes } from './routes/auth/token.js'
import { openIdRoutes } from './routes/auth/openid.js'
import { recordingRoutes } from './routes/recordings/recordings.js'
import { controlRoutes } from './routes/control/index.js'
import { addInspectionHooks } from './inspection/graph-hooks.js'
import { registerDocs } from './routes/docs.js'
import { graphErrors } from './errors/graph-error.js'
import { stringifySafely } from './routes/safe-json.js'
import { jsonShapeProblem } from './schemas/json-shape.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The mock's parts and what the routes ask of them (built by createMock). */
    mock: Mock
  }
}

/** The whole mock as a Fastify plugin; it never listens (server.ts does). */
export async function registerApp (app: FastifyInstance, mock: Mock): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>()
  typed.decorate('mock', mock)
  typed.setErrorHandler(errorHandler)
  typed.setNotFoundHandler(notFoundHandler)
  // A value that cannot be written as JSON (defence in depth: bodies are bounded when parsed) is rendered
  // as far as it can be rather than failing the response with a 500.
  typed.setReplySerializer((payload) => stringifySafely(payload))

  // Every response carries Graph's request ids, errors included. The hooks that run on every request are
  // callback-style: an async hook costs a promise and a microtask each (docs/benchmarks.md).
  typed.addHook('onRequest', (request, reply, done) => {
    reply.header('request-id', request.id)
    reply.header('client-request-id', clientRequestIdOf(request))
    done()
  })
  // Before every other hook: a request carrying the mock's own notification token has no effect at all.
  refuseOwnNotificationTokens(typed, { key: mock.key })

  // Graph takes JSON only: text/plain is a 415, not a string that fails validation.
  typed.removeContentTypeParser('text/plain')
  // An empty body with a JSON content type is no body (SDKs send it on keepAlive); bad JSON stays a 400.
  // Depth and width are checked before parsing: a deeply nested value would otherwise fail later, wherever
  // it is serialised, and a huge object stall the event loop (docs/decisions/limits-bodies.md).
  const jsonParser = typed.getDefaultJsonParser('error', 'error')
  typed.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString()
    if (text.trim() === '') { done(null, undefined); return }
    const problem = jsonShapeProblem(text)
    if (problem) { done(graphErrors.badRequest(problem), undefined); return }
    jsonParser(request, text, done)
  })

  registerDocs(typed)
  // Faults and the request journal wrap the Graph routes only (their hooks run before Graph auth).
  await typed.register(async (graph) => {
    addInspectionHooks(graph, { faults: mock.faults, requests: mock.graphRequests, clock: mock.clock })
    // One registration: every spelling of a Graph URL is rewritten to the plain one (routes/graph/paths.ts).
    await graph.register(graphRoutes)
  })
  await typed.register(tokenRoutes)
  await typed.register(openIdRoutes)
  await typed.register(recordingRoutes)
  await typed.register(controlRoutes, { prefix: '/_mock' })

  typed.addHook('onClose', async () => {
    app.log.info(mock.close(), 'shut down: dropped undelivered notifications and live calls')
  })
}
