import { Client, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client'

export interface AppCredentials {
  /** The token endpoint: https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token, or the mock's. */
  tokenUrl: string
  clientId: string
  clientSecret: string
}

/** App-only (client-credentials) tokens for Graph, fetched when needed and reused until near expiry. */
export function createTokenSource (credentials: AppCredentials): () => Promise<string> {
  let cached: { token: string, renewAt: number } | undefined
  return async function getToken () {
    if (cached && Date.now() < cached.renewAt) return cached.token
    const res = await fetch(credentials.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        scope: 'https://graph.microsoft.com/.default'
      })
    })
    if (!res.ok) throw new Error(`Token request failed: HTTP ${res.status} ${await res.text()}`)
    const body = await res.json() as { access_token: string, expires_in: number }
    // Renew five minutes early so a request never leaves with a token about to expire.
    cached = { token: body.access_token, renewAt: Date.now() + (body.expires_in - 300) * 1000 }
    return cached.token
  }
}

/**
 * Puts the Bearer token on every request. The library's own AuthenticationHandler only does that for
 * https://graph.microsoft.com (and https custom hosts); on a plain-http mock it strips the header.
 */
export class BearerTokenMiddleware implements Middleware {
  private next?: Middleware

  constructor (private readonly getToken: () => Promise<string>) {}

  async execute (context: Context): Promise<void> {
    const token = await this.getToken()
    const options = context.options ?? (context.options = {})
    options.headers = { ...(options.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` }
    await this.next!.execute(context)
  }

  setNext (next: Middleware): void { this.next = next }
}

/**
 * A Graph client for `baseUrl` (https://graph.microsoft.com, or the mock's URL): requests go to
 * {baseUrl}/v1.0/... through our token middleware, then the library's HTTPMessageHandler (fetch).
 * A RetryHandler between the two would also honour 429 Retry-After.
 */
export function createGraphClient (baseUrl: string, getToken: () => Promise<string>): Client {
  return Client.initWithMiddleware({
    baseUrl,
    defaultVersion: 'v1.0',
    middleware: [new BearerTokenMiddleware(getToken), new HTTPMessageHandler()]
  })
}
