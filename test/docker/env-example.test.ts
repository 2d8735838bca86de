import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { SETTINGS } from '../../src/config/settings.js'

test('.env.example documents every setting, at its default, with the code\'s description and flag', () => {
  const text = readFileSync('.env.example', 'utf8')
  const variables = [...text.matchAll(/^# ?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => ({ name: m[1], value: m[2] }))
  assert.deepEqual(variables.map((v) => v.name), SETTINGS.map((s) => s.env), 'the same variables, in the table\'s order')
  for (const s of SETTINGS) {
    const v = variables.find((x) => x.name === s.env)!
    assert.equal(v.value, s.default === undefined ? '' : String(s.default), `${s.env} shows its default`)
    const doc = `# ${s.description}.${s.values ? ` One of: ${s.values.join(', ')}.` : ''} Flag: ${s.flag}\n# ${s.env}=`
    assert.ok(text.includes(doc), `${s.env} is documented as the code describes it:\n${doc}`)
  }
})
