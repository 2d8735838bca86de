/**
 * The baseline the benchmarks compare the mock with: bare Fastify 5, no plugins, no hooks, one route that
 * answers recordResponse with a fixed JSON body and a health route. Run compiled, as a child process,
 * exactly like the mock. BARE_LOG=info turns Fastify's request logging on (to stdout, as the mock's).
 * BARE_BODY is the JSON to answer with; BARE_PORT the port (default: any free one).
 */
import Fastify from 'fastify'

const body = JSON.parse(process.env.BARE_BODY ?? '{}') as Record<string, unknown>
const location = process.env.BARE_LOCATION ?? 'http://127.0.0.1/beta/communications/calls/x/operations/y'
const app = Fastify({ logger: process.env.BARE_LOG ? { level: process.env.BARE_LOG } : false })

app.get('/_mock/health', async () => ({ status: 'ok' }))
app.post('/beta/communications/calls/:callId/recordResponse', async (_request, reply) => await reply.code(200).header('location', location).send(body))

await app.listen({ port: Number(process.env.BARE_PORT ?? 0), host: '127.0.0.1' })
const { port } = app.server.address() as { port: number }
process.stdout.write(JSON.stringify({ msg: 'bare fastify is ready', url: `http://127.0.0.1:${port}` }) + '\n')
process.on('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
