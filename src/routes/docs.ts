import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/** Routes worth a page: the Graph calls API and the control API. */
function documented (url: string): boolean {
  return url.startsWith('/communications/') || (url.startsWith('/_mock') && !url.startsWith('/_mock/docs'))
}

/**
 * OpenAPI generated from the route schemas, at /_mock/docs (UI) and /_mock/docs/json. Registered before
 * the routes so it sees them all. Graph paths are listed once; each also works under /v1.0 and /beta.
 */
export async function registerDocs (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'graph-calling-mock', description: 'Microsoft Graph calling API emulator: the Graph surface it serves (each path also under /v1.0 and /beta, as /app/calls, and with microsoft.graph.-qualified actions) and its control API (/_mock).', version: '1' },
      tags: [{ name: 'graph', description: 'Microsoft Graph calling API' }, { name: 'control', description: 'The mock\'s control API' }]
    },
    transform: ({ schema, url }) => {
      const s = (schema ?? {}) as Record<string, unknown>
      if (!documented(url)) return { schema: { ...s, hide: true }, url }
      return { schema: { ...s, tags: [url.startsWith('/_mock') ? 'control' : 'graph'] }, url }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/_mock/docs' })
}
