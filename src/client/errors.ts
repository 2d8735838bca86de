/** A control or token request the mock refused; the message carries the mock's own explanation. */
export class ControlClientError extends Error {
  /** Graph error code (or the token endpoint's `error`), when the body had one. */
  readonly code: string | undefined
  readonly requestId: string | undefined

  constructor (readonly method: string, readonly path: string, readonly status: number, readonly body: unknown) {
    const { code, message } = explain(body)
    super(`${method} ${path} failed with ${status}${code ? ` ${code}` : ''}: ${message}`)
    this.name = 'ControlClientError'
    this.code = code
    this.requestId = typeof body === 'object' && body !== null ? ((body as { error?: { innerError?: Record<string, string> } }).error?.innerError?.['request-id']) : undefined
  }
}

function explain (body: unknown): { code?: string, message: string } {
  if (typeof body === 'object' && body !== null) {
    const b = body as { error?: unknown, error_description?: unknown }
    // Graph's shape: {error: {code, message}}; Entra ID's: {error, error_description}.
    if (typeof b.error === 'object' && b.error !== null) {
      const e = b.error as { code?: unknown, message?: unknown }
      return { code: typeof e.code === 'string' ? e.code : undefined, message: typeof e.message === 'string' ? e.message : JSON.stringify(body) }
    }
    if (typeof b.error === 'string') return { code: b.error, message: typeof b.error_description === 'string' ? b.error_description.split('\r\n')[0] : b.error }
  }
  return { message: typeof body === 'string' && body !== '' ? body.slice(0, 500) : '(no body)' }
}
