import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DTMF_KEY_CLASS, DTMF_KEYS, DTMF_KEYS_ANY_CASE, TONE_NAMES, dtmfKey } from '../../src/engine/dtmf.js'
import { DTMF_FREQUENCIES } from '../../src/recordings/audio/dtmf.js'

test('the key set: sixteen keys, Graph\'s tone name and a frequency pair for each', () => {
  assert.deepEqual(DTMF_KEYS, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'])
  assert.deepEqual(DTMF_KEYS.map((k) => TONE_NAMES[k]), ['tone0', 'tone1', 'tone2', 'tone3', 'tone4', 'tone5', 'tone6', 'tone7', 'tone8', 'tone9', 'star', 'pound', 'a', 'b', 'c', 'd'])
  assert.deepEqual(Object.keys(DTMF_FREQUENCIES).sort(), [...DTMF_KEYS].sort())
})

test('the character class of the schemas accepts exactly the keys, in either case', () => {
  const one = new RegExp(`^${DTMF_KEY_CLASS}$`)
  for (let code = 0; code < 0x3000; code++) {
    const c = String.fromCharCode(code)
    assert.equal(one.test(c), DTMF_KEYS_ANY_CASE.includes(c), `character ${JSON.stringify(c)}`)
    assert.equal(dtmfKey(c) !== undefined, DTMF_KEYS_ANY_CASE.includes(c), `dtmfKey(${JSON.stringify(c)})`)
  }
})
