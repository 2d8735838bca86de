import { request } from 'node:https'

/**
 * A fetch for the control client of an HTTPS mock that trusts the mock's own CA: Node's global fetch
 * reads its extra CAs once, from NODE_EXTRA_CA_CERTS at process start, so a CA made later needs this.
 * It covers what the control client sends (method, headers, a string body) and reads (status, text).
 */
export function fetchTrusting (ca: string): typeof fetch {
  return async (input, init = {}) => await new Promise<Response>((resolve, reject) => {
    const url = input instanceof Request ? input.url : String(input)
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers as Record<string, string> | undefined, ca }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const status = res.statusCode ?? 500
        const body = status === 204 || status === 304 ? null : Buffer.concat(chunks)
        resolve(new Response(body, { status, headers: res.headers as Record<string, string> }))
      })
    })
    req.on('error', reject)
    req.end(typeof init.body === 'string' ? init.body : undefined)
  })
}
