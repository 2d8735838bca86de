import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { compileGlob, MAX_GLOB_LENGTH } from '../../src/inspection/glob.js'
import { createRequestJournal, type RequestRecord } from '../../src/inspection/request-journal.js'
import { build, JSON_HEADERS } from '../helper.js'

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
