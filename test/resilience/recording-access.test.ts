import assert from 'node:assert/strict'
import { test } from 'node:test'
import { advance, answeredCall, build, expectGraphError, journal, JSON_HEADERS, startBot } from '../helper.js'

test('no combination of token and recording id other than the right pair downloads bytes, expired ones included', async (t) => {
  const mock = await build(t, { recordingRetentionSeconds: 60 })
  const bot = await startBot(t)
  const script = { responses: [{ actions: [{ silence: 300 }, { speech: 1000 }, { tone: '#' }] }] }
  const recordings: Array<{ callId: string, path: string, token: string }> = []
  for (let i = 0; i < 4; i++) {
    const callId = await answeredCall(mock, bot.url, script)
    const res = await mock.app.inject({ method: 'POST', url: `/v1.0/communications/calls/${callId}/recordResponse`, headers: JSON_HEADERS, payload: { stopTones: ['#'], playBeep: false } })
    assert.equal(res.statusCode, 200)
    await advance(mock, 1300)
    const done = (await journal(mock, { callId, changeType: 'deleted' }))[0].body.value[0].resourceData
    assert.equal(done.status, 'completed')
    recordings.push({ callId, path: new URL(done.recordingLocation).pathname, token: done.recordingAccessToken })
  }
  // The first recording's call ends and its retention runs out.
  const expired = recordings[0]
  assert.equal((await mock.app.inject({ method: 'DELETE', url: `/v1.0/communications/calls/${expired.callId}`, headers: JSON_HEADERS })).statusCode, 204)
  await advance(mock, 60_000)

  const tokens: Array<string | undefined> = [...recordings.map((r) => r.token), undefined, '', 'garbage', JSON_HEADERS.authorization.slice(7), recordings[1].token.toUpperCase(), recordings[1].token.slice(0, -1)]
  const paths = [...recordings.map((r) => r.path), '/recordings/00000000-0000-0000-0000-000000000000', `${recordings[1].path}x`]
  let downloads = 0
  for (const path of paths) {
    for (const token of tokens) {
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await mock.app.inject({ method, url: path, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
        const owner = recordings.find((r) => r.path === path)
        const what = `${method} ${path} with ${token === undefined ? 'no token' : `token ${token.slice(0, 6)}`}`
        if (owner && owner !== expired && token === owner.token) {
          assert.equal(res.statusCode, 200, what)
          if (method === 'GET') { assert.equal(res.rawPayload.subarray(0, 4).toString(), 'RIFF', what); downloads++ }
        } else if (method === 'GET') {
          assert.ok(res.rawPayload.length < 1000, `${what} returned bytes`)
          if (!owner || owner === expired) expectGraphError(res, 404, 'itemNotFound')
          else expectGraphError(res, 401, 'InvalidAuthenticationToken')
        } else {
          assert.ok(res.statusCode === 404 || res.statusCode === 401, `${what}: ${res.statusCode}`)
        }
      }
    }
  }
  assert.equal(downloads, 3)
})
