import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../helper.js'

test('/_mock/docs/json is OpenAPI generated from the route schemas: the control API and each Graph route once', async (t) => {
  const mock = await build(t)
  const res = await mock.app.inject({ method: 'GET', url: '/_mock/docs/json' })
  assert.equal(res.statusCode, 200)
  const doc = res.json()
  assert.match(doc.openapi, /^3\./)
  const paths = Object.keys(doc.paths)
  for (const p of ['/_mock/calls', '/_mock/clock/advance', '/_mock/notifications', '/_mock/faults', '/communications/calls/{callId}/recordResponse']) assert.ok(paths.includes(p), p)
  assert.ok(!paths.some((p) => p.includes('microsoft.graph.') || p.startsWith('/beta') || p.includes('/app/calls')), 'aliases are hidden')
  const record = doc.paths['/communications/calls/{callId}/recordResponse'].post
  const body = record.requestBody.content['application/json'].schema
  assert.equal(body.properties.maxRecordDurationInSeconds.maximum, 120)
  assert.equal(body.properties.prompts.maxItems, 1)
  const short = await mock.app.inject({ method: 'GET', url: '/_mock/docs' })
  assert.deepEqual(short.json(), doc)
})
