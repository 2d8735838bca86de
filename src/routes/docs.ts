import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/** Routes worth a page: the control API, and each Graph route once (v1.0, /communications, plain action). */
function documented (url: string): boolean {
  if (url.startsWith('/_mock')) return !url.startsWith('/_mock/docs')
  return /^\/v1\.0\/communications\//.test(url) && !url.includes('microsoft.graph.')
}

/**
 * OpenAPI generated from the route schemas, at /_mock/docs (UI) and /_mock/docs/json. Registered before
 * the routes so it sees them all; the many aliases of each Graph route are hidden.
 */
export async function registerDocs (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'graph-calling-mock', description: 'Microsoft Graph calling API emulator: the Graph surface it serves and its control API (/_mock).', version: '1' },
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
