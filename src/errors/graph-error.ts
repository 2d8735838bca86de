/**
 * An error as Microsoft Graph reports it: HTTP status plus `error.code` and `error.message`
 * (https://learn.microsoft.com/graph/errors). Thrown by the engine and routes alike; one error handler
 * turns it into the wire body.
 */
export class GraphError extends Error {
  constructor (readonly statusCode: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message)
    this.name = 'GraphError'
  }
}

/** The named errors the mock returns; one function per Graph code used. */
export const graphErrors = {
  badRequest: (message: string) => new GraphError(400, 'BadRequest', message),
  /** The action is not valid in the call's or operation's current state. */
  invalidState: (message: string) => new GraphError(400, 'BadRequest', message),
  unauthenticated: (message: string) => new GraphError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' }),
  forbidden: () => new GraphError(403, '7504', 'Insufficient enterprise tenant permissions, cannot access this API.'),
  callNotFound: () => new GraphError(404, '8522', 'Call not found.'),
  itemNotFound: (message: string) => new GraphError(404, 'itemNotFound', message),
  payloadTooLarge: (limit: number) => new GraphError(413, 'RequestEntityTooLarge', `The request body is larger than the limit of ${limit} bytes.`),
  unsupportedMediaType: (type: string | undefined) => new GraphError(415, 'UnsupportedMediaType', `Content type '${type ?? ''}' is not supported; send application/json.`),
  tooManyRequests: (message = 'Too many requests.') => new GraphError(429, 'TooManyRequests', message),
  serviceUnavailable: (message = 'The service is temporarily unavailable.') => new GraphError(503, 'serviceNotAvailable', message),
  internal: () => new GraphError(500, 'UnknownError', 'Unexpected exception returned from the service.')
}

/** A Graph error code that goes with a status, for errors raised by injected faults. */
export function graphErrorForStatus (status: number, message?: string): GraphError {
  switch (status) {
    case 400: return graphErrors.badRequest(message ?? 'The request is invalid.')
    case 401: return graphErrors.unauthenticated(message ?? 'Access token validation failure.')
    case 403: return graphErrors.forbidden()
    case 404: return new GraphError(404, 'itemNotFound', message ?? 'The resource could not be found.')
    case 409: return new GraphError(409, 'Conflict', message ?? 'The request conflicts with the current state.')
    case 429: return graphErrors.tooManyRequests(message)
    case 500: return graphErrors.internal()
    case 502: return new GraphError(502, 'BadGateway', message ?? 'Bad gateway.')
    case 503: return graphErrors.serviceUnavailable(message)
    case 504: return new GraphError(504, 'GatewayTimeout', message ?? 'Gateway timeout.')
    default: return new GraphError(status, status >= 500 ? 'UnknownError' : 'BadRequest', message ?? `Injected fault with status ${status}.`)
  }
}
