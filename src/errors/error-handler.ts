import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { GraphError, graphErrors } from './graph-error.js'
import type { GraphErrorBody } from '../schemas/graph-error.js'
import { redactUrl } from '../inspection/redaction.js'

/** The client-request-id a reply echoes: the client's own when it is a sane header value. */
export function clientRequestIdOf (request: FastifyRequest): string {
  const sent = request.headers['client-request-id']
  return typeof sent === 'string' && /^[\x21-\x7e]{1,200}$/.test(sent) ? sent : request.id
}

export function graphErrorBody (err: GraphError, request: FastifyRequest): GraphErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      // Graph writes the date without a zone, e.g. 2021-05-06T05:26:40.
      innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': request.id, 'client-request-id': clientRequestIdOf(request) }
    }
  }
}

export function sendGraphError (reply: FastifyReply, err: GraphError): FastifyReply {
  // The ids are set here too: errors raised before the onRequest hook (a malformed URL) still carry them.
  const request = reply.request
  return reply.code(err.statusCode)
    .headers({ ...err.headers, 'request-id': request.id, 'client-request-id': clientRequestIdOf(request) })
    .type('application/json')
    .send(graphErrorBody(err, request))
}

/** Errors Fastify raises before routing (a URL that cannot be decoded), in Graph's shape. */
export function frameworkErrorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendGraphError(reply, graphErrors.badRequest(error.code === 'FST_ERR_BAD_URL' ? `The URL '${redactUrl(request.url).slice(0, 200)}' is not valid: it cannot be decoded.` : error.message))
}

/** `/prompts/0/mediaInfo` -> `prompts[0].mediaInfo` */
function propertyPath (instancePath: string, missing?: string): string {
  const parts = instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (missing) parts.push(missing)
  return parts.reduce((path, p) => /^\d+$/.test(p) ? `${path}[${p}]` : path ? `${path}.${p}` : p, '')
}

type ValidationIssue = { instancePath: string, keyword: string, message?: string, params: Record<string, unknown> }

/** A sentence naming the field and the rule it broke, from the first schema violation. */
export function validationMessage (issues: ValidationIssue[], context: string): string {
  const issue = issues.find((i) => i.keyword !== 'anyOf' && i.keyword !== 'if') ?? issues[0]
  const missing = issue.keyword === 'required' ? String(issue.params.missingProperty) : undefined
  const where = propertyPath(issue.instancePath, missing)
  const subject = context === 'body' ? 'request body' : context
  if (missing) return `Invalid ${subject}: the property '${where}' is required.`
  let rule = (issue.message ?? 'is not valid').replace(/must be (\w+),null/, 'must be $1 or null')
  if (issue.keyword === 'enum') rule = `must be one of ${(issue.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
  return where ? `Invalid ${subject}: the property '${where}' ${rule}.` : `Invalid ${subject}: it ${rule}.`
}

/** The one error handler: every error leaves in Graph's shape; nothing else reaches the wire. */
export function errorHandler (error: FastifyError | GraphError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof GraphError) return sendGraphError(reply, error)
  const e = error as FastifyError & { validation?: ValidationIssue[], validationContext?: string }
  if (e.validation) return sendGraphError(reply, graphErrors.badRequest(validationMessage(e.validation, e.validationContext ?? 'body')))
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return sendGraphError(reply, graphErrors.unsupportedMediaType(request.headers['content-type']))
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return sendGraphError(reply, graphErrors.payloadTooLarge(request.routeOptions.bodyLimit ?? 0))
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return sendGraphError(reply, graphErrors.badRequest('The request body is empty; send a JSON object.'))
  }
  if (e instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return sendGraphError(reply, graphErrors.badRequest(`The request body is not valid JSON: ${e.message}`))
  }
  const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500
  if (status < 500) return sendGraphError(reply, new GraphError(status, 'BadRequest', e.message))
  request.log.error({ err: error }, 'unexpected error')
  return sendGraphError(reply, graphErrors.internal())
}

/** Unknown routes fail loudly, in Graph's shape, with a log line naming them. */
export function notFoundHandler (request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const url = redactUrl(request.originalUrl)
  request.log.warn({ method: request.method, url }, 'no route for this request')
  const path = url.split('?')[0]
  return sendGraphError(reply, graphErrors.itemNotFound(`Resource not found for the segment '${path.split('/').filter(Boolean).pop() ?? '/'}' (${request.method} ${path}).`))
}
