import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { GraphError, graphErrors } from '../../errors/graph-error.js'
import { createWavCache } from '../../recordings/wav-cache.js'

const CHUNK_BYTES = 64 * 1024
const RecordingParams = Type.Object({ recordingId: Type.String({ minLength: 1, maxLength: 200 }) })

/** `bytes=a-b` against a length: the inclusive range, 'unsatisfiable', or undefined for no/ignored Range. */
function parseRange (header: string | undefined, length: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  let start: number, end: number
  if (m[1] === '') { start = Math.max(0, length - Number(m[2])); end = length - 1 } else { start = Number(m[1]); end = m[2] === '' ? length - 1 : Math.min(Number(m[2]), length - 1) }
  return start > end || start >= length ? 'unsatisfiable' : [start, end]
}

/**
 * GET {recordingLocation} with `Authorization: Bearer {recordingAccessToken}` (ref 7): the WAV as
 * application/octet-stream, chunked like Graph's example; HEAD and Range work too. Only the recording's
 * own token opens it; Graph tokens do not.
 */
export const recordingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { recordings, fixtures } = app.mock
  const wavs = createWavCache({ fixtures, maxBytes: 64 * 1024 * 1024 })
  app.addHook('onClose', async () => { wavs.clear() })

  app.route({
    method: ['GET', 'HEAD'],
    url: '/recordings/:recordingId',
    schema: { params: RecordingParams },
    handler: async (request, reply) => {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
      const found = recordings.authorize(request.params.recordingId, match?.[1])
      if (found === 'notFound') throw graphErrors.itemNotFound(`Recording '${request.params.recordingId}' does not exist or has expired.`)
      if (found === 'unauthorized') throw graphErrors.unauthenticated('The recording access token is missing or not valid for this recording.')
      const wav = wavs.get(found.recording)
      reply.header('content-type', 'application/octet-stream').header('accept-ranges', 'bytes')
      const range = parseRange(request.headers.range, wav.length)
      if (range === 'unsatisfiable') {
        throw new GraphError(416, 'invalidRange', `The requested range is not satisfiable; the recording has ${wav.length} bytes.`, { 'content-range': `bytes */${wav.length}` })
      }
      if (request.method === 'HEAD') return await reply.header('content-length', wav.length).send()
      recordings.markDownloaded(found.recording.id)
      if (range) {
        const [start, end] = range
        return await reply.code(206).header('content-range', `bytes ${start}-${end}/${wav.length}`).send(wav.subarray(start, end + 1))
      }
      // Streamed in chunks (Transfer-Encoding: chunked), as Graph serves recordings.
      return await reply.send(Readable.from(chunks(wav)))
    }
  })
}

function * chunks (buf: Buffer): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += CHUNK_BYTES) yield buf.subarray(i, i + CHUNK_BYTES)
}
