import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { GraphError, graphErrors } from '../../errors/graph-error.js'

const CHUNK_BYTES = 64 * 1024
const RecordingParams = Type.Object({ recordingId: Type.String({ minLength: 1, maxLength: 200 }) })

/**
 * `bytes=a-b`, `bytes=a-` or `bytes=-n` against a length: the inclusive range, 'unsatisfiable', or
 * undefined when there is no Range or one we ignore (other units, several ranges), as RFC 9110 allows.
 */
export function parseRange (header: string | undefined, length: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  let start: number, end: number
  if (m[1] === '') {
    start = Math.max(0, length - Number(m[2]))
    end = length - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? length - 1 : Math.min(Number(m[2]), length - 1)
  }
  return start > end || start >= length ? 'unsatisfiable' : [start, end]
}

/**
 * GET {recordingLocation} with `Authorization: Bearer {recordingAccessToken}` (see docs/decisions/recordings.md): the WAV as
 * application/octet-stream, chunked like Graph's example; HEAD and Range work too. Only the recording's
 * own token opens it; Graph tokens do not.
 */
export const recordingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { recordings } = app.mock

  app.route({
    method: ['GET', 'HEAD'],
    url: '/recordings/:recordingId',
    schema: { params: RecordingParams },
    handler: async (request, reply) => {
      const id = request.params.recordingId
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
      const found = recordings.authorize(id, match?.[1])
      if (found === 'notFound') throw graphErrors.itemNotFound(`Recording '${id}' does not exist or has expired.`)
      if (found === 'unauthorized') throw graphErrors.unauthenticated('The recording access token is missing or not valid for this recording.')
      // The size is known without rendering, so HEAD and a bad Range never cost a render.
      const size = found.recording.sizeBytes
      const range = parseRange(request.headers.range, size)
      if (range === 'unsatisfiable') {
        throw new GraphError(416, 'invalidRange', `The requested range is not satisfiable; the recording has ${size} bytes.`, { 'content-range': `bytes */${size}` })
      }
      reply.header('content-type', 'application/octet-stream').header('accept-ranges', 'bytes')
      if (range) reply.code(206).header('content-range', `bytes ${range[0]}-${range[1]}/${size}`)
      if (request.method === 'HEAD') return await reply.header('content-length', range ? range[1] - range[0] + 1 : size).send()

      const wav = recordings.wav(found.recording)
      recordings.markDownloaded(found.recording.id)
      request.log.info({ recordingId: id, bytes: range ? range[1] - range[0] + 1 : wav.length }, 'recording downloaded')
      if (range) return await reply.send(wav.subarray(range[0], range[1] + 1))
      // Streamed in chunks (Transfer-Encoding: chunked), as Graph serves recordings.
      return await reply.send(chunked(wav))
    }
  })
}

/**
 * A stream of `buf` in CHUNK_BYTES pieces, pushed as fast as it is read: cheaper per download than
 * Readable.from() over a generator, whose async iteration costs a few promises per chunk.
 */
function chunked (buf: Buffer): Readable {
  let offset = 0
  return new Readable({
    read () {
      while (offset < buf.length) {
        const chunk = buf.subarray(offset, offset + CHUNK_BYTES)
        offset += CHUNK_BYTES
        if (!this.push(chunk)) return
      }
      this.push(null)
    }
  })
}
