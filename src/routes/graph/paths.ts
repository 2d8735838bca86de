import type { IncomingMessage } from 'node:http'
import type { FastifyRequest } from 'fastify'
import type { ApiVersion } from '../../engine/model.js'

/**
 * Graph accepts one resource under many spellings: /v1.0, /beta or no version; /communications/calls or
 * the deprecated /app/calls (see docs/graph-behaviour.md, Paths and versions); `recordResponse` or `microsoft.graph.recordResponse`. Each spelling
 * is rewritten to the plain one before routing, so every action is one route, and the version is kept
 * on the request for the response's shape.
 */
const GRAPH_VERSION = Symbol('graphVersion')
type VersionedMessage = IncomingMessage & { [GRAPH_VERSION]?: ApiVersion }

const VERSION_PREFIX = /^\/(v1\.0|beta)(?=[/?]|$)/i
const APP_CALLS = /^\/app\/calls(?=[/?]|$)/i
const QUALIFIED_ACTION = /^(\/communications\/calls\/[^/?]+\/)microsoft\.graph\./i

/** Fastify's rewriteUrl: the plain path of a Graph URL; other URLs are left alone. */
export function rewriteGraphUrl (req: IncomingMessage): string {
  const url = req.url ?? '/'
  const version = VERSION_PREFIX.exec(url)
  let rest = version ? url.slice(version[0].length) : url
  rest = rest.replace(APP_CALLS, '/communications/calls')
  if (!/^\/communications\//i.test(rest)) return url
  if (version?.[1].toLowerCase() === 'beta') (req as VersionedMessage)[GRAPH_VERSION] = 'beta'
  return rest.replace(QUALIFIED_ACTION, '$1')
}

export const CALLS_PATH = '/communications/calls'
export const CALL_PATH = `${CALLS_PATH}/:callId`
export const OPERATION_PATH = `${CALL_PATH}/operations/:operationId`
export const actionPath = (action: string): string => `${CALL_PATH}/${action}`

/** The Graph version a request was made under; no prefix means v1.0. */
export function versionOf (request: FastifyRequest): ApiVersion {
  return (request.raw as VersionedMessage)[GRAPH_VERSION] ?? 'v1.0'
}

/** Absolute URL of a resource, for Location headers. */
export function locationOf (baseUrl: string, version: ApiVersion, path: string): string {
  return `${baseUrl}/${version}${path}`
}
