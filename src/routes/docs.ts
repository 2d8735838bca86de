import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'

/** Routes worth a page: the Graph calls API and the control API. */
function documented (url: string): boolean {
  return url.startsWith('/communications/') || (url.startsWith('/_mock') && !url.startsWith('/_mock/docs'))
}

/**
 * OpenAPI generated from the route schemas, at /_mock/docs (JSON; load it into any OpenAPI viewer).
 * Registered before the routes so it sees them all. Graph paths are listed once; each also works under
 * /v1.0 and /beta. No bundled UI: it would cost start-up time for a page few tests need.
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
  const document = async (): Promise<unknown> => app.swagger()
  app.get('/_mock/docs', { schema: { hide: true } }, document)
  app.get('/_mock/docs/json', { schema: { hide: true } }, document)
}
