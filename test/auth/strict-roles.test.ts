import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SignJWT } from 'jose'
import { build, expectGraphError } from '../helper.js'

type Mock = Awaited<ReturnType<typeof build>>

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

async function token (mock: Mock, tenant: string, roles?: string[]): Promise<string> {
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
  for (const role of ALL_ROLES) single.set(role, await token(mock, tenant, [role]))
  const none = await token(mock, tenant, [])
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

  const foreign = await token(mock, '0f0f0f0f-1111-4222-8333-444455556666')
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
    expectGraphError(await get(await token(mock, name)), 404, '8522')
  }
})
