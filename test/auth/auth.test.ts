import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { resolveSettings } from '../../src/config/load-settings.js'
import { listenMock } from '../../src/server.js'
import { advance, answeredCall, build, expectGraphError, JSON_HEADERS, startBot } from '../helper.js'

type Mock = Awaited<ReturnType<typeof build>>

async function token (mock: Mock, form: Record<string, string> = {}): Promise<string> {
  const res = await mock.app.inject({
    method: 'POST',
    url: `/${mock.services.settings.tenantId}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'bot-app', client_secret: 's3cret', scope: 'https://graph.microsoft.com/.default', ...form }).toString()
  })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.equal(body.token_type, 'Bearer')
  assert.equal(body.expires_in, 3599)
  return body.access_token
}

const RECORD = { maxRecordDurationInSeconds: 5 }

test('the token endpoint issues RS256 JWTs with the calling roles, signed by the key in the JWKS', async (t) => {
  const mock = await build(t, { auth: 'strict' })
  const jwt = await token(mock)
  const header = decodeProtectedHeader(jwt)
  assert.equal(header.alg, 'RS256')
  const claims = decodeJwt(jwt)
  assert.equal(claims.aud, 'https://graph.microsoft.com')
  assert.equal(claims.iss, `https://sts.windows.net/${mock.services.settings.tenantId}/`)
  assert.equal(claims.appid, 'bot-app')
  assert.deepEqual(claims.roles, ['Calls.AccessMedia.All', 'Calls.Initiate.All', 'Calls.InitiateGroupCall.All', 'Calls.JoinGroupCall.All', 'Calls.JoinGroupCallAsGuest.All'])
  assert.equal(claims.exp! - claims.iat!, 3599)
  const jwks = (await mock.app.inject({ method: 'GET', url: '/v1/.well-known/keys' })).json()
  assert.equal(jwks.keys.length, 1)
  assert.equal(jwks.keys[0].kid, header.kid)
  assert.equal(jwks.keys[0].kty, 'RSA')
  assert.equal(jwks.keys[0].use, 'sig')
  assert.ok(!('d' in jwks.keys[0]), 'no private part is published')
})

test('the token endpoint answers bad requests as Entra ID does', async (t) => {
  const mock = await build(t, { auth: 'strict' })
  const post = async (form: Record<string, string>): Promise<{ status: number, body: any }> => {
    const res = await mock.app.inject({ method: 'POST', url: '/tenant/oauth2/v2.0/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() })
    return { status: res.statusCode, body: res.json() }
  }
  const wrongGrant = await post({ grant_type: 'password', client_id: 'a', client_secret: 'b', scope: 'https://graph.microsoft.com/.default' })
  assert.equal(wrongGrant.status, 400)
  assert.equal(wrongGrant.body.error, 'unsupported_grant_type')
  assert.deepEqual(wrongGrant.body.error_codes, [70003])
  const noSecret = await post({ grant_type: 'client_credentials', client_id: 'a', scope: 'https://graph.microsoft.com/.default' })
  assert.equal(noSecret.status, 401)
  assert.equal(noSecret.body.error, 'invalid_client')
  const badScope = await post({ grant_type: 'client_credentials', client_id: 'a', client_secret: 'b', scope: 'User.Read' })
  assert.equal(badScope.body.error, 'invalid_scope')
})

test('strict: a Graph request without a valid token is 401 before its body is looked at', async (t) => {
  const mock = await build(t, { auth: 'strict' })
  const url = '/v1.0/communications/calls/any/recordResponse'
  const none = await mock.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{not json' })
  assert.equal(expectGraphError(none, 401, 'InvalidAuthenticationToken'), 'Access token is empty.')
  assert.match(String(none.headers['www-authenticate']), /^Bearer/)
  const garbage = await mock.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', authorization: 'Bearer abc.def.ghi' }, payload: '{not json' })
  expectGraphError(garbage, 401, 'InvalidAuthenticationToken')
  const notBearer = await mock.app.inject({ method: 'GET', url: '/v1.0/communications/calls/any', headers: { authorization: 'Basic dXNlcjpwYXNz' } })
  expectGraphError(notBearer, 401, 'InvalidAuthenticationToken')
})

test('strict: a valid token works until it expires on the mock\'s clock', async (t) => {
  const mock = await build(t, { auth: 'strict' })
  const bot = await startBot(t)
  const jwt = await token(mock)
  const { id } = (await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: bot.url } })).json()
  const headers = { authorization: `Bearer ${jwt}` }
  assert.equal((await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${id}`, headers })).statusCode, 200)
  await advance(mock, 3_600_000)
  const expired = await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/${id}`, headers })
  assert.match(expectGraphError(expired, 401, 'InvalidAuthenticationToken'), /expired/)
})

test('strict: a token without the permission the API needs is 403 7504', async (t) => {
  const mock = await build(t, { auth: 'strict' })
  const bot = await startBot(t)
  const limited = await token(mock, { roles: 'Calls.Initiate.All' })
  const full = await token(mock)
  const id = await answeredCall(mock, bot.url, undefined, { 'content-type': 'application/json', authorization: `Bearer ${full}` })
  const denied = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/recordResponse`, headers: { 'content-type': 'application/json', authorization: `Bearer ${limited}` }, payload: RECORD })
  assert.equal(expectGraphError(denied, 403, '7504'), 'Insufficient enterprise tenant permissions, cannot access this API.')
  const allowed = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/recordResponse`, headers: { 'content-type': 'application/json', authorization: `Bearer ${full}` }, payload: RECORD })
  assert.equal(allowed.statusCode, 200, allowed.body)
  const noCreate = await token(mock, { roles: 'Calls.AccessMedia.All' })
  const create = await mock.app.inject({ method: 'POST', url: '/v1.0/communications/calls', headers: { 'content-type': 'application/json', authorization: `Bearer ${noCreate}` }, payload: {} })
  expectGraphError(create, 403, '7504')
})

test('bearer (default): any Bearer token passes, none is 401; none: no token needed', async (t) => {
  const bearer = await build(t)
  expectGraphError(await bearer.app.inject({ method: 'GET', url: '/v1.0/communications/calls/x' }), 401, 'InvalidAuthenticationToken')
  expectGraphError(await bearer.app.inject({ method: 'GET', url: '/v1.0/communications/calls/x', headers: JSON_HEADERS }), 404, '8522')
  const open = await build(t, { auth: 'none' })
  expectGraphError(await open.app.inject({ method: 'GET', url: '/v1.0/communications/calls/x' }), 404, '8522')
  // The control API never needs Graph auth.
  assert.equal((await bearer.app.inject({ method: 'GET', url: '/_mock/health' })).statusCode, 200)
})

test('a bot validates the notification JWT with jose against the served OIDC document and JWKS', async (t) => {
  const running = await listenMock(resolveSettings({ port: 0, clock: 'manual', logLevel: 'silent', botAppId: 'a1b2c3d4-0000-4000-8000-000000000001', tenantId: 'f00dcafe-0000-4000-8000-000000000002' }))
  t.after(async () => { await running.app.close() })
  const bot = await startBot(t)
  const created = await fetch(`${running.url}/_mock/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ callbackUri: bot.url }) })
  assert.equal(created.status, 201)
  await fetch(`${running.url}/_mock/notifications?minCount=1&waitMs=5000`)
  assert.equal(bot.received.length, 1)
  const auth = String(bot.received[0].headers.authorization)
  const jwt = auth.replace(/^Bearer /, '')

  // Exactly what a bot does: read the OIDC document, then its JWKS, then verify issuer and audience.
  const oidc = await (await fetch(`${running.url}/v1/.well-known/OpenIdConfiguration`)).json() as { issuer: string, jwks_uri: string }
  assert.equal(oidc.issuer, 'https://api.botframework.com')
  const { payload, protectedHeader } = await jwtVerify(jwt, createRemoteJWKSet(new URL(oidc.jwks_uri)), { issuer: 'https://api.botframework.com', audience: 'a1b2c3d4-0000-4000-8000-000000000001', algorithms: ['RS256'] })
  assert.ok(protectedHeader.kid)
  assert.equal(payload.tid, 'f00dcafe-0000-4000-8000-000000000002')
  assert.equal(payload['http://schemas.microsoft.com/identity/claims/tenantid'], 'f00dcafe-0000-4000-8000-000000000002')
  assert.equal(payload.exp! - payload.iat!, 3600)
  assert.ok(payload.nbf! <= Math.floor(Date.now() / 1000))
  const standard = await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()
  assert.deepEqual(standard, oidc)
  await assert.rejects(jwtVerify(jwt, createRemoteJWKSet(new URL(oidc.jwks_uri)), { audience: 'someone-else' }))
})

test('SIGNING_KEY_FILE: the configured key signs and is published; a bad file stops start-up naming the setting', async (t) => {
  const { generateKeyPairSync } = await import('node:crypto')
  const { writeFile, mkdtemp, rm } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const { calculateJwkThumbprint, exportJWK } = await import('jose')
  const { buildMock } = await import('../../src/server.js')
  const dir = await mkdtemp(join(tmpdir(), 'key-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const file = join(dir, 'key.pem')
  await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }))
  const mock = await build(t, { signingKeyFile: file })
  const jwks = (await mock.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json()
  assert.equal(jwks.keys[0].kid, await calculateJwkThumbprint(await exportJWK(publicKey)))
  assert.equal(jwks.keys[0].n, (await exportJWK(publicKey)).n)

  await writeFile(join(dir, 'bad.pem'), 'not a key')
  await assert.rejects(buildMock(resolveSettings({ clock: 'manual', logLevel: 'silent', signingKeyFile: join(dir, 'bad.pem') })), /SIGNING_KEY_FILE.*not a PEM private key/)
  await assert.rejects(buildMock(resolveSettings({ clock: 'manual', logLevel: 'silent', signingKeyFile: join(dir, 'missing.pem') })), /SIGNING_KEY_FILE.*cannot be read/)
})
