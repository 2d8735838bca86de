import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { SCRIPT_LIMITS } from '../../src/engine/caller/script-schema.js'
import { compileGlob, MAX_GLOB_LENGTH } from '../../src/inspection/glob.js'
import { createRequestJournal, type RequestRecord } from '../../src/inspection/request-journal.js'
import { build, JSON_HEADERS } from '../helper.js'

const RUNS = Number(process.env.FUZZ_RUNS ?? 20)

const tones = (n: number): Array<{ tone: string }> => Array.from({ length: n }, () => ({ tone: '#' }))

/** A script near one of its limits, whether it keeps to them, and the words a refusal must contain. */
interface Sized { script: unknown, within: boolean, limit: RegExp }

const near = (limit: number, spread: number): fc.Arbitrary<number> => fc.integer({ min: limit - spread, max: limit + spread })

const scriptsNearLimits: fc.Arbitrary<Sized> = fc.oneof(
  near(SCRIPT_LIMITS.responses, 3).map((n) => ({ script: { responses: Array.from({ length: n }, () => ({})) }, within: n <= SCRIPT_LIMITS.responses, limit: /the limit is 1000$/ })),
  near(SCRIPT_LIMITS.actionsPerResponse, 3).map((n) => ({ script: { responses: [{ actions: tones(n) }] }, within: n <= SCRIPT_LIMITS.actionsPerResponse, limit: /the limit is 1000 per response/ })),
  // Ten full responses and a few more actions either way: the total across responses decides.
  fc.tuple(fc.array(fc.integer({ min: 995, max: 1000 }), { minLength: 10, maxLength: 10 }), fc.integer({ min: 0, max: 40 })).map(([sizes, extra]) => {
    const total = sizes.reduce((a, b) => a + b, 0) + extra
    return { script: { responses: [...sizes.map((n) => ({ actions: tones(n) })), { actions: tones(extra) }] }, within: total <= SCRIPT_LIMITS.actions, limit: /the limit is 10000 per script/ }
  }),
  fc.tuple(fc.integer({ min: 1, max: SCRIPT_LIMITS.responseMs - 10 }), fc.integer({ min: -3, max: 3 })).map(([silence, delta]) => {
    const speech = SCRIPT_LIMITS.responseMs - silence + delta
    return { script: { responses: [{ actions: [{ silence }, { tone: '1' }, { speech }] }] }, within: speech <= SCRIPT_LIMITS.responseMs && silence + speech <= SCRIPT_LIMITS.responseMs, limit: /ms per response/ }
  }),
  near(SCRIPT_LIMITS.descriptionLength, 3).map((n) => ({ script: { description: 'x'.repeat(n) }, within: n <= SCRIPT_LIMITS.descriptionLength, limit: /the limit is 1000$/ }))
)

test('scripts around each limit: accepted within it, otherwise a 400 naming the limit', async (t) => {
  const mock = await build(t)
  await fc.assert(fc.asyncProperty(scriptsNearLimits, async ({ script, within, limit }) => {
    const res = await mock.app.inject({ method: 'PUT', url: '/_mock/script', payload: script as object })
    if (within) {
      assert.equal(res.statusCode, 200, res.body.slice(0, 300))
      return
    }
    assert.equal(res.statusCode, 400)
    const message: string = res.json().error.message
    assert.match(message.replace(/\.$/, ''), limit)
  }), { numRuns: RUNS })
})

type Op = { kind: 'advance', ms: number } | { kind: 'reset' } | { kind: 'call' }

const ops: fc.Arbitrary<Op[]> = fc.array(fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 20_000 }).map((ms): Op => ({ kind: 'advance', ms })) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'reset' }) },
  { weight: 2, arbitrary: fc.constant<Op>({ kind: 'call' }) }
), { minLength: 1, maxLength: 8 })

test('advances and resets in any interleaving: the clock ends at the sum of the advances after the last reset', async (t) => {
  const mock = await build(t)
  await mock.services.key()
  // Calls to a port nobody listens on give the advances events to work through (retries, ring timeouts),
  // so each advance is still running when the next request arrives.
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const deadBot = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/api/calls`
  await new Promise<void>((resolve) => probe.close(() => resolve()))

  // Requests are sent in order, each once the one before has reached the clock (or the reset), but without
  // waiting for its answer: the order the clock sees is the order generated.
  const { services } = mock
  let entered = 0
  const reached = (n: number): boolean => entered >= n
  const advanceClock = services.clock.advance.bind(services.clock)
  services.clock.advance = async (ms, settle) => { entered++; return await advanceClock(ms, settle) }
  const resetAll = services.reset.bind(services)
  services.reset = () => { entered++; resetAll() }

  await fc.assert(fc.asyncProperty(ops, async (sequence) => {
    await mock.app.inject({ method: 'POST', url: '/_mock/reset' })
    entered = 0
    let sent = 0
    const answers: Array<Promise<LightMyRequestResponse>> = []
    for (const op of sequence) {
      if (op.kind === 'call') {
        await mock.app.inject({ method: 'POST', url: '/_mock/calls', payload: { callbackUri: deadBot } })
        continue
      }
      answers.push(op.kind === 'reset'
        ? mock.app.inject({ method: 'POST', url: '/_mock/reset' })
        : mock.app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { ms: op.ms } }))
      sent++
      while (!reached(sent)) await new Promise((resolve) => setImmediate(resolve))
    }
    const results = await Promise.all(answers)
    const sentOps = sequence.filter((op) => op.kind !== 'call')
    const lastReset = sentOps.map((op) => op.kind).lastIndexOf('reset')
    const expected = sentOps.slice(lastReset + 1).reduce((sum, op) => sum + (op.kind === 'advance' ? op.ms : 0), 0)
    const clock = (await mock.app.inject({ method: 'GET', url: '/_mock/clock' })).json()
    assert.equal(clock.nowMs, expected, JSON.stringify(sentOps))
    for (const [i, res] of results.entries()) {
      // Advances after the last reset complete; earlier ones complete or were cut short by it (409).
      const allowed = i > lastReset || sentOps[i].kind === 'reset' ? [200] : [200, 409]
      assert.ok(allowed.includes(res.statusCode), `${JSON.stringify(sentOps[i])} answered ${res.statusCode}: ${res.body}`)
    }
  }), { numRuns: RUNS })
})

/** The backtracking regular expression globs used to become: the reference semantics on short inputs. */
function referenceRegExp (glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' && glob[i + 1] === '*') {
      if (glob[i + 2] === '/') { source += '(?:.*/)?'; i += 2 } else { source += '.*'; i += 1 }
    } else if (c === '*') source += '[^/]*'
    else if (c === '?') source += '[^/]'
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 'i')
}

const globChar = fc.constantFrom('a', 'B', 'c', '/', '*', '**', '**/', '?', '.', '-')
const pathChar = fc.constantFrom('a', 'b', 'C', 'c', '/', '.', '-')

test('the glob matcher agrees with the backtracking reference on short patterns and paths', () => {
  fc.assert(fc.property(fc.array(globChar, { maxLength: 10 }), fc.array(pathChar, { maxLength: 14 }), (g, p) => {
    const glob = g.join('')
    const path = p.join('')
    assert.equal(compileGlob(glob).test(path), referenceRegExp(glob).test(path), `${glob} vs ${path}`)
  }), { numRuns: 3000 })
})

test('long adversarial globs never slow: each match stays linear in pattern × path', () => {
  fc.assert(fc.property(
    fc.array(fc.constantFrom('**', '*', 'c', '?', '**/', '/'), { minLength: 10, maxLength: 60 }).map((parts) => ('**' + parts.join('') + 'Z').slice(0, MAX_GLOB_LENGTH - 1) + 'Z'),
    fc.integer({ min: 1000, max: 8000 }),
    (glob, length) => {
      const matcher = compileGlob(glob)
      const path = '/' + 'c/'.repeat(3) + 'c'.repeat(length)
      const started = performance.now()
      assert.equal(matcher.test(path), false)
      // Generous: a backtracking matcher takes seconds to minutes here; this one takes milliseconds.
      assert.ok(performance.now() - started < 500, `${glob} on ${length} characters took ${Math.round(performance.now() - started)} ms`)
    }), { numRuns: 30 })
})

const record = (bodyBytes: number | null): RequestRecord => ({ virtualMs: 0, method: 'POST', path: '/v1.0/communications/calls/x/answer', route: null, query: {}, headers: {}, headBytes: 300, body: bodyBytes === null ? null : { size: bodyBytes }, bodyBytes, status: 202, faultId: null, durationMs: 1 })

test('random body sizes never take the request journal past its byte bound, and it accounts for what it let go', () => {
  fc.assert(fc.property(
    fc.array(fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 4 * 1024 * 1024 })), { minLength: 1, maxLength: 300 }),
    fc.integer({ min: 2_000, max: 500_000 }),
    fc.integer({ min: 1, max: 200 }),
    fc.integer({ min: 100, max: 100_000 }),
    (sizes, maxBytes, maxEntries, bodyKeepBytes) => {
      const journal = createRequestJournal((ms) => new Date(ms).toISOString(), { maxBytes, maxEntries, bodyKeepBytes })
      for (const size of sizes) journal.add(record(size))
      const state = journal.state()
      const held = journal.list()
      assert.equal(state.entries, held.length)
      assert.ok(state.bytes <= maxBytes || state.entries === 1, `${state.bytes} > ${maxBytes} with ${state.entries} entries`)
      assert.ok(state.entries <= maxEntries)
      assert.equal(state.entries + state.droppedForBytes + state.droppedForCount, sizes.length)
      assert.equal(state.omittedBodies, sizes.filter((s) => s !== null && s > bodyKeepBytes).length)
      assert.deepEqual(held.map((e) => e.id), Array.from({ length: held.length }, (_, i) => sizes.length - held.length + i + 1))
      for (const e of held) assert.equal(e.bodyOmitted, e.bodyBytes !== null && e.bodyBytes > bodyKeepBytes)
    }), { numRuns: 200 })
})

test('random $top and $skip page the request journal exactly: the right slice, a nextLink only when more remain', async (t) => {
  const mock = await build(t)
  const total = 37
  for (let i = 0; i < total; i++) await mock.app.inject({ method: 'GET', url: `/v1.0/communications/calls/c${i}`, headers: JSON_HEADERS })
  await fc.assert(fc.asyncProperty(fc.integer({ min: -2, max: 1002 }), fc.integer({ min: 0, max: 50 }), async (top, skip) => {
    const res = await mock.app.inject({ method: 'GET', url: `/_mock/requests?$top=${top}&$skip=${skip}` })
    if (top < 1 || top > 1000) { assert.equal(res.statusCode, 400, res.body); return }
    assert.equal(res.statusCode, 200, res.body)
    const page = res.json()
    const expected = Array.from({ length: total }, (_, i) => i + 1).slice(skip, skip + top)
    assert.deepEqual(page.value.map((e: any) => e.id), expected)
    assert.equal(page['@odata.nextLink'] !== undefined, skip + top < total)
  }), { numRuns: 100 })
})
