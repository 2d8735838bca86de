import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { test } from 'node:test'
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose'
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

const ANSWER = { callbackUri: 'https://bot.example/api/calls', acceptedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } }

for (const auth of ['none', 'bearer', 'strict'] as const) {
  test(`AUTH=${auth}: a request carrying the mock's own notification token is refused with 403 and changes nothing`, async (t) => {
    const mock = await build(t, { auth })
    const created = await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: 'http://127.0.0.1:9/api/calls' } })
    assert.equal(created.statusCode, 201, created.body)
    const id = (created.json() as { id: string }).id
    // Exactly the token the mock puts on its notification POSTs.
    const own = { authorization: `Bearer ${await mock.services.notificationTokens.tokenFor(mock.services.settings.tenantId)}`, 'content-type': 'application/json' }

    const answer = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${id}/answer`, headers: own, payload: ANSWER })
    assert.match(expectGraphError(answer, 403, 'Forbidden'), /notification token this mock signed/)
    const reset = await mock.app.inject({ method: 'POST', url: '/_mock/reset', headers: own, payload: {} })
    expectGraphError(reset, 403, 'Forbidden')
    const hangUp = await mock.app.inject({ method: 'POST', url: `/_mock/calls/${id}/hangup`, headers: own, payload: {} })
    expectGraphError(hangUp, 403, 'Forbidden')

    // Nothing happened: the call is still there, still ringing.
    const view = await mock.app.inject({ method: 'GET', url: `/_mock/calls/${id}` })
    assert.equal(view.statusCode, 200, view.body)
    assert.equal((view.json() as { state: string }).state, 'incoming')

    // The built-in bot stand-in is where such tokens belong.
    assert.equal((await mock.app.inject({ method: 'POST', url: '/_mock/callback-sink', headers: own, payload: {} })).statusCode, 202)
  })
}

test('a token that only claims the notification issuer, signed by another key, is not taken for the mock\'s own', async (t) => {
  const mock = await build(t)
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const forged = await new SignJWT({ tid: 't' }).setProtectedHeader({ alg: 'RS256' }).setIssuer('https://api.botframework.com').setAudience('x').sign(privateKey)
  // Bearer mode takes any token: the request goes on to the route (404: no such call).
  expectGraphError(await mock.app.inject({ method: 'GET', url: '/v1.0/communications/calls/nope', headers: { authorization: `Bearer ${forged}` } }), 404, '8522')
  expectGraphError(await mock.app.inject({ method: 'GET', url: '/v1.0/communications/calls/nope', headers: JSON_HEADERS }), 404, '8522')
})

const ALL_ROLES = ['Calls.AccessMedia.All', 'Calls.Initiate.All', 'Calls.InitiateGroupCall.All', 'Calls.JoinGroupCall.All', 'Calls.JoinGroupCallAsGuest.All']
const CONTROL = ['Calls.Initiate.All', 'Calls.AccessMedia.All']

/** Each Graph API with the application permissions its Microsoft Learn page lists (any one is enough). */
const TABLE: Array<{ api: string, method: 'GET' | 'POST' | 'DELETE', url: string, roles: string[] }> = [
  { api: 'create call', method: 'POST', url: '/v1.0/communications/calls', roles: ['Calls.JoinGroupCallAsGuest.All', 'Calls.JoinGroupCall.All', 'Calls.Initiate.All', 'Calls.InitiateGroupCall.All'] },
  { api: 'get call', method: 'GET', url: '/v1.0/communications/calls/c1', roles: CONTROL },
  { api: 'delete call', method: 'DELETE', url: '/v1.0/communications/calls/c1', roles: CONTROL },
  { api: 'answer', method: 'POST', url: '/v1.0/communications/calls/c1/answer', roles: ['Calls.JoinGroupCall.All', 'Calls.JoinGroupCallAsGuest.All'] },
  // Learn lists no application permission for reject; the mock accepts any calling role.
  { api: 'reject', method: 'POST', url: '/v1.0/communications/calls/c1/reject', roles: ALL_ROLES },
  { api: 'keepAlive', method: 'POST', url: '/beta/communications/calls/c1/keepAlive', roles: CONTROL },
  { api: 'playPrompt', method: 'POST', url: '/v1.0/communications/calls/c1/playPrompt', roles: CONTROL },
  { api: 'cancelMediaProcessing', method: 'POST', url: '/v1.0/communications/calls/c1/cancelMediaProcessing', roles: CONTROL },
  { api: 'recordResponse', method: 'POST', url: '/v1.0/communications/calls/c1/recordResponse', roles: ['Calls.AccessMedia.All'] },
  { api: 'subscribeToTone', method: 'POST', url: '/v1.0/communications/calls/c1/subscribeToTone', roles: ['Calls.AccessMedia.All'] },
  { api: 'get operation', method: 'GET', url: '/v1.0/communications/calls/c1/operations/o1', roles: CONTROL }
]

async function roleToken (mock: Mock, tenant: string, roles?: string[]): Promise<string> {
  const form: Record<string, string> = { grant_type: 'client_credentials', client_id: 'bot-app', client_secret: 's', scope: 'https://graph.microsoft.com/.default' }
  // The mock-only `roles` field; an empty list is a token with no role at all.
  if (roles) form.roles = roles.length > 0 ? roles.join(' ') : ' '
  const res = await mock.app.inject({ method: 'POST', url: `/${tenant}/oauth2/v2.0/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() })
  assert.equal(res.statusCode, 200, res.body)
  return (res.json() as { access_token: string }).access_token
}

async function call (mock: Mock, row: typeof TABLE[number], jwt: string): Promise<Awaited<ReturnType<Mock['app']['inject']>>> {
  return await mock.app.inject({ method: row.method, url: row.url, headers: { authorization: `Bearer ${jwt}`, ...(row.method === 'POST' ? { 'content-type': 'application/json' } : {}) }, payload: row.method === 'POST' ? {} : undefined })
}

test('strict: every Graph API needs one of the roles its Learn page lists, and no other role will do', async (t) => {
  const mock = await build(t, { auth: 'strict' })
  const tenant = mock.services.settings.tenantId
  const single = new Map<string, string>()
  for (const role of ALL_ROLES) single.set(role, await roleToken(mock, tenant, [role]))
  const none = await roleToken(mock, tenant, [])
  for (const row of TABLE) {
    expectGraphError(await call(mock, row, none), 403, '7504')
    for (const role of ALL_ROLES) {
      const res = await call(mock, row, single.get(role)!)
      if (row.roles.includes(role)) assert.notEqual(res.statusCode, 403, `${row.api} with ${role}: ${res.body}`)
      else expectGraphError(res, 403, '7504')
    }
  }
})

test('strict: a token of another tenant, or with another issuer, is 401 InvalidAuthenticationToken', async (t) => {
  const mock = await build(t, { auth: 'strict' })
  const get = async (jwt: string): Promise<Awaited<ReturnType<Mock['app']['inject']>>> => await mock.app.inject({ method: 'GET', url: '/v1.0/communications/calls/c1', headers: { authorization: `Bearer ${jwt}` } })

  const foreign = await roleToken(mock, '0f0f0f0f-1111-4222-8333-444455556666')
  assert.match(expectGraphError(await get(foreign), 401, 'InvalidAuthenticationToken'), /tenant '0f0f0f0f-1111-4222-8333-444455556666'.*TENANT_ID/)

  // Signed with the mock's own key and for its tenant, but not issued by that tenant's issuer.
  const key = await mock.services.key()
  const tenant = mock.services.settings.tenantId
  const now = Math.floor(Date.now() / 1000)
  const wrongIssuer = await new SignJWT({ roles: ALL_ROLES, tid: tenant }).setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer('https://sts.windows.net/someone-else/').setAudience('https://graph.microsoft.com').setIssuedAt(now).setExpirationTime(now + 600).sign(key.privateKey)
  assert.match(expectGraphError(await get(wrongIssuer), 401, 'InvalidAuthenticationToken'), /Invalid issuer/)

  // The mock's tenant, named by id, by a domain or by /common, gives tokens that pass (404: no such call).
  for (const name of [tenant, 'contoso.onmicrosoft.com', 'common']) {
    expectGraphError(await get(await roleToken(mock, name)), 404, '8522')
  }
})
