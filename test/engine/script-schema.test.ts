import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { Value } from 'typebox/value'
import { CallerScriptSchema, scriptProblem } from '../../src/engine/caller/script-schema.js'

// Values shaped like scripts, near misses included, so the walk reaches every level of the schema.
const action = fc.oneof(
  fc.record({ silence: fc.oneof(fc.integer({ min: -2, max: 5000 }), fc.string()) }),
  fc.record({ speech: fc.integer({ min: -1, max: 5000 }), audio: fc.constantFrom('hello.wav', '../x.wav') }, { requiredKeys: [] }),
  fc.record({ tone: fc.string({ maxLength: 2 }) }),
  fc.record({ hangup: fc.constantFrom(true, false) }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
  fc.jsonValue({ maxDepth: 1 })
)
const response = fc.oneof(
  fc.record({ actions: fc.oneof(fc.array(action, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })), prompt: fc.constantFrom('ok', 'fail', 'maybe') }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
  fc.jsonValue({ maxDepth: 1 })
)
const script = fc.oneof(
  fc.record({
    description: fc.oneof(fc.string({ maxLength: 5 }), fc.integer()),
    answerAfterMs: fc.oneof(fc.integer({ min: -5, max: 4_000_000 }), fc.constantFrom('never', 'reject', 'soon')),
    responses: fc.oneof(fc.array(response, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }))
  }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 2 })
)

test('property: a script the schema refuses gets a worded problem under its name; one it accepts gets none', () => {
  fc.assert(fc.property(script, (input) => {
    const problem = scriptProblem(input, 'script')
    if (Value.Check(CallerScriptSchema, input)) assert.equal(problem, undefined)
    else {
      assert.equal(typeof problem, 'string')
      assert.ok(problem!.startsWith('script'), problem)
      assert.doesNotMatch(problem!, /undefined|\[object/, problem)
    }
  }), { numRuns: 500 })
})

test('a property name with a slash is named as written', () => {
  assert.equal(scriptProblem({ 'a/b~c': 1 }), 'script has an unknown property \'a/b~c\'; expected answerAfterMs, responses')
  assert.equal(scriptProblem({ responses: [{ 'x/y': 1 }] }), 'script.responses[0] has an unknown property \'x/y\'; expected actions, prompt')
})
