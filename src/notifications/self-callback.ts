import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { isIPv4, isIPv6, type LookupFunction } from 'node:net'
import { hostname as machineName, networkInterfaces } from 'node:os'
import { graphErrors } from '../errors/graph-error.js'

/** The one path of the mock a callback may point at: it stands in for a bot and does nothing else. */
export const CALLBACK_SINK_PATH = '/_mock/callback-sink'

/** Where the mock listens and how it is reached from outside. */
export interface MockAddress {
  /** HOST as configured. */
  host: string
  /** The port it listens on (known once the server is bound). */
  port: () => number
  publicBaseUrl?: string
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]'])

/** A host name or address as the WHATWG URL parser writes it (127.1 is 127.0.0.1), without brackets or trailing dots. */
function normalHost (host: string): string | undefined {
  try {
    const h = new URL(`http://${isIPv6(host) ? `[${host}]` : host}/`).hostname
    return h.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '')
  } catch {
    return undefined
  }
}

/** Loopback and "this host" addresses: 127.0.0.0/8, 0.0.0.0, ::1, ::, and IPv4-mapped forms of those. */
function isLoopback (host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (isIPv4(host)) return host.startsWith('127.') || host === '0.0.0.0'
  if (!isIPv6(host)) return false
  return host === '::1' || host === '::' || /^::ffff:(7f[0-9a-f]{2}:[0-9a-f]{1,4}|0:0)$/.test(host)
}

const defaultPort = (url: URL): number => url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)

/** The decoded, lower-case path without trailing slashes, as the router would match it; undefined when it cannot be decoded. */
function routedPath (pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname).toLowerCase().replace(/\/+$/, '')
  } catch {
    return undefined
  }
}

/**
 * Tells whether a callback URL points at the mock itself, whose own API would then act on each
 * notification: POST /_mock/reset wiping it, or recordResponse starting another operation each time
 * (docs/decisions/limits-bodies.md). "The mock" is its port on any loopback name or address, on HOST
 * (and on every local address when HOST is a wildcard), and PUBLIC_BASE_URL; its callback sink is allowed.
 */
export function createSelfCallbackCheck (address: MockAddress) {
  const ownHosts = new Set<string>()
  const addHost = (h: string | undefined): void => { if (h) ownHosts.add(h) }
  addHost(normalHost(address.host))
  if (WILDCARD_HOSTS.has(address.host)) {
    addHost(normalHost(machineName()))
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) addHost(normalHost(i.address))
  }
  const isOwnHost = (host: string): boolean => isLoopback(host) || ownHosts.has(host)
  const publicBase = address.publicBaseUrl ? new URL(address.publicBaseUrl) : undefined
  const publicPath = publicBase?.pathname.replace(/\/+$/, '').toLowerCase() ?? ''

  /** Why `uri` must not be a callback, or undefined when it may; `name` is what the sentence calls it. */
  function reasonFor (uri: string, name = 'the callbackUri'): string | undefined {
    let url: URL
    try { url = new URL(uri) } catch { return undefined } // not a URL: schemas and the dispatcher refuse it
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '')
    const path = routedPath(url.pathname)
    const direct = isOwnHost(host) && defaultPort(url) === address.port()
    const viaPublic = publicBase !== undefined && host === normalHost(publicBase.hostname) && defaultPort(url) === defaultPort(publicBase) &&
      (publicPath === '' || path === undefined || path === publicPath || path.startsWith(publicPath + '/'))
    if (!direct && !viaPublic) return undefined
    const sink = (direct ? '' : publicPath) + CALLBACK_SINK_PATH
    if (path === sink) return undefined
    return `${name} '${uri.slice(0, 300)}' points at the mock itself, which would act on its own notifications; use your bot's URL, or the mock's ${CALLBACK_SINK_PATH} to stand in for a bot`
  }

  /**
   * A DNS lookup for the dispatcher's sockets that refuses a name resolving to the mock's own address,
   * which no check of the URL's text can see (a name that resolves to 127.0.0.1).
   */
  function lookupFor (port: number): LookupFunction {
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (err, addresses: LookupAddress[]) => {
        if (err) { callback(err, '', 0); return }
        if (port === address.port() && addresses.some((a) => isOwnHost(normalHost(a.address) ?? ''))) {
          callback(Object.assign(new Error(`${hostname} resolves to the mock's own address`), { code: SELF_CALLBACK_CODE }), '', 0)
          return
        }
        if ((options as LookupOptions).all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
        else callback(null, addresses[0].address, addresses[0].family)
      })
    }
  }

  return {
    reasonFor,
    lookupFor,
    /** A 400 when a callback given in a request points at the mock. */
    refuse (uri: string | null | undefined, name?: string): void {
      const reason = uri ? reasonFor(uri, name) : undefined
      if (reason) throw graphErrors.badRequest(`Invalid callback: ${reason}.`)
    }
  }
}

/** The error code of a delivery refused because its name resolved to the mock. */
export const SELF_CALLBACK_CODE = 'ESELFCALLBACK'

export type SelfCallbackCheck = ReturnType<typeof createSelfCallbackCheck>
