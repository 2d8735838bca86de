import { randomUUID } from 'node:crypto'
import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'

/** Node's own failure codes for a request it could not parse, mapped to the status and Graph error they get. */
function statusOf (code: string | undefined): { status: number, code: string, message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, code: 'RequestHeaderFieldsTooLarge', message: `The request's headers are larger than the limit of ${maxHeaderSize} bytes.` }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'RequestTimeout', message: 'The request was not received in full in time.' }
  // The parser's codes (HPE_INVALID_CHUNK_SIZE, HPE_INVALID_METHOD, ...) name what was wrong; no request bytes are echoed.
  return { status: 400, code: 'BadRequest', message: `The request is not valid HTTP/1.1 and could not be read${code?.startsWith('HPE_') ? ` (${code})` : ''}.` }
}

/**
 * Fastify's clientErrorHandler: a request Node's HTTP parser rejects never reaches a route, so the
 * answer is written to the socket here, in Graph's error shape with its request ids, and the connection
 * is closed (its framing can no longer be trusted).
 */
export function graphClientErrorHandler (err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const { status, code, message } = statusOf(err.code)
  const id = randomUUID()
  const body = JSON.stringify({ error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': id, 'client-request-id': id } } })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `request-id: ${id}\r\n` +
      `client-request-id: ${id}\r\n` +
      'connection: close\r\n\r\n' +
      body
    )
  }
  socket.destroy()
}
