import { randomUUID } from 'node:crypto'
import AjvCompiler from '@fastify/ajv-compiler'
import SerializerCompiler from '@fastify/fast-json-stringify-compiler'
import pino from 'pino'
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import type { Settings } from './config/settings.js'
import { graphClientErrorHandler } from './errors/client-error.js'
import { frameworkErrorHandler } from './errors/error-handler.js'
import { redactUrl } from './inspection/redaction.js'
import { rewriteGraphUrl } from './routes/graph/paths.js'
import { stringifySafely } from './routes/safe-json.js'

/** Largest request body accepted; Graph's own limit for JSON requests is 4 MB. */
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024

/** Bytes of JSON log lines kept before they are written, and how long a line may wait at most. */
export const LOG_BATCH_BYTES = 4096
export const LOG_FLUSH_MS = 200

let stdoutLines: pino.DestinationStream & { flushSync: () => void } | undefined

/**
 * Where JSON log lines go: stdout, written in batches of LOG_BATCH_BYTES or every LOG_FLUSH_MS, whichever
 * comes first, with synchronous writes. A write per line, or an asynchronous one through libuv's thread
 * pool, was a good part of a small request's cost (docs/benchmarks.md). One per process, however many
 * mocks it builds; what is still held is written when the process exits.
 */
function stdoutDestination (): pino.DestinationStream {
  if (stdoutLines) return stdoutLines
  const destination = pino.destination({ dest: 1, sync: true, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS })
  process.once('exit', () => { destination.flushSync() })
  stdoutLines = destination
  return destination
}

/** Writes the JSON log lines held back so far (pino-pretty's and silent loggers hold none). */
export function flushLogLines (): void {
  stdoutLines?.flushSync()
}

/** pino options: pretty when a person watches the terminal, JSON otherwise. */
export function loggerOptions (settings: Pick<Settings, 'logLevel'>): FastifyServerOptions['logger'] {
  if (process.stdout.isTTY && settings.logLevel !== 'silent') {
    return { level: settings.logLevel, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
  }
  if (settings.logLevel === 'silent') return { level: 'silent' }
  return { level: settings.logLevel, stream: stdoutDestination() }
}

/**
 * What the request line says: flat fields, which pino writes far faster than the nested req/res objects;
 * credentials in the URL's query are hidden.
 */
function requestFields (request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  return { method: request.method, url: redactUrl(request.originalUrl), remoteAddress: request.ip, statusCode: reply.statusCode, responseTime: reply.elapsedTime }
}

/**
 * One info line per request, when it ends, with what Fastify's two lines carried (method, URL as sent,
 * client, status, time); the line for its start is debug. Request logging is most of the cost of a small
 * request (see docs/benchmarks.md), and the end line alone says what happened.
 */
export class RequestLogController extends LogController {
  override incomingRequest (request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    if (error) reply.log.error({ ...requestFields(request, reply), err: error }, 'request errored')
    else reply.log.info(requestFields(request, reply), 'request completed')
  }
}

/**
 * Fastify's own Ajv and fast-json-stringify compilers, but each route's validator and serializer is
 * compiled when the route first uses it, and Ajv itself is made then too, rather than when the server
 * starts: compiling ~35 routes' schemas up front is a good part of the cold start (docs/benchmarks.md),
 * and most processes use a handful of routes.
 */
function lazyValidators (): AjvCompiler.BuildCompilerFromPool {
  const build = AjvCompiler()
  return (externalSchemas, ajvOptions) => {
    let compile: ReturnType<typeof build> | undefined
    return (route) => {
      let validate: ReturnType<ReturnType<typeof build>> | undefined
      // Fastify reads the errors of the last call from the function itself.
      const lazy = Object.assign((data: unknown) => {
        validate ??= (compile ??= build(externalSchemas, ajvOptions))(route)
        const valid = validate(data)
        lazy.errors = validate.errors
        return valid
      }, { errors: null as unknown })
      return lazy as unknown as ReturnType<ReturnType<typeof build>>
    }
  }
}

function lazySerializers (): SerializerCompiler.SerializerFactory {
  const build = SerializerCompiler()
  return (externalSchemas, serializerOptions) => {
    let compile: SerializerCompiler.SerializerCompiler | undefined
    return (route) => {
      let serialize: SerializerCompiler.Serializer | undefined
      // A value the schema's serializer cannot write is rendered as far as it can be, not a 500 (routes/safe-json.ts).
      return (doc) => stringifySafely(doc, (serialize ??= (compile ??= build(externalSchemas, serializerOptions))(route)))
    }
  }
}

/** Fastify's constructor options, shared by the server and the tests so both validate the same way. */
export function fastifyOptions (settings: Pick<Settings, 'logLevel'>): FastifyServerOptions {
  return {
    logger: loggerOptions(settings),
    logController: new RequestLogController(),
    schemaController: { compilersFactory: { buildValidator: lazyValidators(), buildSerializer: lazySerializers() } },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler,
    // Requests Node cannot parse (bad framing, oversized headers) get Graph's error shape too.
    clientErrorHandler: graphClientErrorHandler,
    rewriteUrl: rewriteGraphUrl,
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 500 },
    // Graph does not convert "5" into 5: a string where a number belongs is a 400 (see docs/graph-behaviour.md, Errors).
    // validateSchema off: the schemas are ours and tested; compiling JSON Schema's meta-schema costs ~45 ms of start-up.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, validateSchema: false } }
  }
}
