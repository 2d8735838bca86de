import type { FastifyRequest } from 'fastify'
import type { ApiVersion } from '../../engine/model.js'

/** Both the current and the deprecated /app form of the calls collection (ref 1.1). */
const CALL_COLLECTIONS = ['/communications/calls', '/app/calls']

export const callsPaths = CALL_COLLECTIONS
export const callPaths = CALL_COLLECTIONS.map((c) => `${c}/:callId`)

/** An action's paths: plain and namespace-qualified, under both collections. */
export function actionPaths (action: string): string[] {
  return callPaths.flatMap((p) => [`${p}/${action}`, `${p}/microsoft.graph.${action}`])
}

export function operationPaths (): string[] {
  return callPaths.map((p) => `${p}/operations/:operationId`)
}

/** The Graph version a request was made under; no prefix means v1.0. */
export function versionOf (request: FastifyRequest): ApiVersion {
  return /^\/beta(\/|$)/i.test(request.url) ? 'beta' : 'v1.0'
}

/** Absolute URL of a resource, for Location headers. */
export function locationOf (baseUrl: string, version: ApiVersion, path: string): string {
  return `${baseUrl}/${version}${path}`
}
