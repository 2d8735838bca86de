/**
 * Credentials hidden from what the mock shows and logs (the request journal, the request log line): the
 * name stays visible, the value does not. The lists are in docs/decisions/limits-listings.md.
 */

export const REDACTED = '[redacted]'

/** Query (or path) parameters that carry a credential, lower-case: OAuth's, SAS signatures, API keys. */
export const CREDENTIAL_PARAMETERS: ReadonlySet<string> = new Set([
  'access_token', 'id_token', 'refresh_token', 'token', 'code', 'client_secret', 'client_assertion', 'assertion',
  'password', 'sig', 'signature', 'api_key', 'apikey', 'subscription-key'
])

/** Headers whose value is a credential with a scheme in front (`Bearer …`): the scheme stays visible. */
const SCHEME_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization'])
/** Cookie headers: each cookie's name stays visible. */
const COOKIE_HEADERS: ReadonlySet<string> = new Set(['cookie', 'set-cookie'])
/** Other headers that are credentials whole. */
const SECRET_HEADERS: ReadonlySet<string> = new Set(['x-api-key', 'api-key', 'ocp-apim-subscription-key'])
/** And any header named like a token or a secret (`x-ms-…-token`, `x-client-secret`). */
const SECRET_HEADER_NAME = /(?:^|-)(?:token|secret|password)$/

function redactScheme (value: string): string {
  const parts = value.trim().split(/\s+/).filter(Boolean)
  return parts.length === 0 ? '' : parts.length > 1 ? `${parts[0]} ${REDACTED}` : REDACTED
}

function redactCookies (value: string): string {
  return value.split(';').map((c) => {
    const eq = c.indexOf('=')
    return eq === -1 ? c : `${c.slice(0, eq)}=${REDACTED}`
  }).join(';')
}

function redactHeader (name: string, value: string): string {
  if (SCHEME_HEADERS.has(name)) return redactScheme(value)
  if (COOKIE_HEADERS.has(name)) return redactCookies(value)
  if (SECRET_HEADERS.has(name) || SECRET_HEADER_NAME.test(name)) return value === '' ? '' : REDACTED
  return value
}

/** Request headers with credentials hidden. */
export function redactHeaders (headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const lower = name.toLowerCase()
    out[name] = Array.isArray(value) ? value.map((v) => redactHeader(lower, v)) : redactHeader(lower, String(value))
  }
  return out
}

function isCredential (rawName: string): boolean {
  let name = rawName
  try { name = decodeURIComponent(rawName.replace(/\+/g, ' ')) } catch { /* keep it as sent */ }
  return CREDENTIAL_PARAMETERS.has(name.trim().toLowerCase())
}

/** A parsed query with credential parameters' values hidden. */
export function redactQuery (query: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(query)) {
    out[name] = !isCredential(name) ? value : Array.isArray(value) ? value.map(() => REDACTED) : REDACTED
  }
  return out
}

/** One `name=value` pair with its value hidden when the name is a credential's. */
function redactPair (pair: string): string {
  const eq = pair.indexOf('=')
  return eq !== -1 && isCredential(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=${REDACTED}` : pair
}

/**
 * A URL or path as sent, with credential parameters' values hidden: in the query, and in `;name=value`
 * path parameters. Costs one indexOf when there is nothing to hide, as on most Graph requests; split
 * rather than a regular expression, so a long hostile URL costs linear time.
 */
export function redactUrl (url: string): string {
  if (url.indexOf('=') === -1) return url
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  const redactedPath = path.indexOf('=') === -1 ? path : path.split('/').map((segment) => segment.split(';').map(redactPair).join(';')).join('/')
  return q === -1 ? redactedPath : `${redactedPath}?${url.slice(q + 1).split('&').map(redactPair).join('&')}`
}
