import { test } from 'node:test'
import { advance } from '../helper.js'
import { setup, record, finalNotification } from './media-helper.js'
for (let i = 0; i < 4; i++) test('t' + i, async (t) => {
  let s0 = performance.now()
  const s = await setup(t, { script: { responses: [{ actions: [{ speech: 1000 }, { tone: '#' }] }] } }); const a = performance.now() - s0; s0 = performance.now()
  const op = await record(s.mock, s.callId, { stopTones: ['#'] }); const b = performance.now() - s0; s0 = performance.now()
  await advance(s.mock, 2000); const c = performance.now() - s0; s0 = performance.now()
  await finalNotification(s, op); const d = performance.now() - s0
  console.log({ a, b, c, d })
})
