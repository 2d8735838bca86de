import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { test } from 'node:test'
import { SignJWT } from 'jose'
import { build, expectGraphError, JSON_HEADERS } from '../helper.js'

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
