import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import {
  action, advance, answeredCall, callView, control, expectGraphError, finalNotification, JSON_HEADERS, mockFor, noNotification,
  record, recordingOf, RESULTS, setup, type Setup, startBot
} from '../helper.js'

/** Ends the n-th operation of the call with the given reason at the given virtual ms. */
async function expectEnd (s: Setup, opId: string, reason: keyof typeof RESULTS, atMs: number): Promise<any> {
  const n = await finalNotification(s, opId)
  assert.deepEqual([n.virtualMs, n.value.resourceData.resultInfo.subcode], [atMs, RESULTS[reason].subcode])
  return n.value.resourceData
}

test('PUT /_mock/calls/{id}/script: the n-th recordResponse gets the n-th response', async (t) => {
  const s = await setup(t)
  const script = { responses: [{ actions: [{ speech: 1000 }, { tone: '1' }] }, { actions: [{ silence: 60_000 }] }] }
  const put = await control(s.mock, 'PUT', `/calls/${s.callId}/script`, script)
  assert.equal(put.statusCode, 200, put.body)
  assert.deepEqual(put.json(), { id: s.callId, script })
  assert.equal((await callView(s.mock, s.callId)).hasOwnScript, true)
  const first = await record(s.mock, s.callId, { stopTones: ['1'], playBeep: false })
  await advance(s.mock, 1000)
  await expectEnd(s, first, 'stopToneDetected', 1000)
  const second = await record(s.mock, s.callId, { playBeep: false, initialSilenceTimeoutInSeconds: 2 })
  await advance(s.mock, 2000)
  await expectEnd(s, second, 'initialSilenceTimeout', 3000)
})

test('PUT /_mock/script is the default for calls without their own; a call\'s own script wins', async (t) => {
  const mock = await mockFor(t)
  const bot = await startBot(t)
  const fallback = { responses: [{ actions: [{ speech: 700 }, { tone: '#' }] }] }
  const put = await control(mock, 'PUT', '/script', fallback)
  assert.equal(put.statusCode, 200, put.body)
  assert.deepEqual(put.json(), { script: fallback })
  const got = (await control(mock, 'GET', '/script')).json() as { script: unknown, scenarios: string[] }
  assert.deepEqual(got.script, fallback)
  assert.ok(got.scenarios.includes('leave-a-message'))

  const plain = await answeredCall(mock, bot.url)
  const own = await answeredCall(mock, bot.url, { responses: [{ actions: [{ speech: 300 }, { tone: '#' }] }] })
  const s1: Setup = { mock, bot, callId: plain }
  const s2: Setup = { mock, bot, callId: own }
  const a = await record(mock, plain, { stopTones: ['#'], playBeep: false })
  const b = await record(mock, own, { stopTones: ['#'], playBeep: false })
  await advance(mock, 1000)
  await expectEnd(s1, a, 'stopToneDetected', 700)
  await expectEnd(s2, b, 'stopToneDetected', 300)

  // Without a default the built-in default applies again.
  assert.equal((await control(mock, 'DELETE', '/script')).statusCode, 204)
  assert.equal(((await control(mock, 'GET', '/script')).json() as { script: unknown }).script, null)
})

test('POST /_mock/calls takes a script inline, by scenario name, or as {"scenario": name}', async (t) => {
  const mock = await mockFor(t)
  const bot = await startBot(t)
  for (const script of ['press-pound', { scenario: 'press-pound' }, JSON.parse(readFileSync('fixtures/scenarios/press-pound.json', 'utf8'))]) {
    const callId = await answeredCall(mock, bot.url, script)
    const s: Setup = { mock, bot, callId }
    const start = ((await mock.app.inject({ method: 'GET', url: '/_mock/clock' })).json() as { nowMs: number }).nowMs
    const opId = await record(mock, callId, { stopTones: ['#'] })
    // Beep, 500 ms silence, "one two three" (861 ms), '#'.
    await advance(mock, 1861)
    await expectEnd(s, opId, 'stopToneDetected', start + 1861)
    assert.equal((await recordingOf(mock, callId, opId)).durationMs, 1361)
  }
})

test('named scenarios in fixtures/scenarios are valid and behave as described', async (t) => {
  const files = readdirSync('fixtures/scenarios').filter((f) => f.endsWith('.json'))
  assert.ok(files.length >= 4)
  const s = await setup(t)
  for (const file of files) {
    const scenario = JSON.parse(readFileSync(`fixtures/scenarios/${file}`, 'utf8')) as { description?: string }
    assert.equal(typeof scenario.description, 'string', file)
    const put = await control(s.mock, 'PUT', `/calls/${s.callId}/script`, { scenario: file.replace(/\.json$/, '') })
    assert.equal(put.statusCode, 200, `${file}: ${put.body}`)
    assert.deepEqual(put.json().script, scenario)
  }
})

test('scenario leave-a-message: 800 ms silence, hello.wav (2222 ms), 600 ms silence, #', async (t) => {
  const s = await setup(t, { script: 'leave-a-message' })
  const opId = await record(s.mock, s.callId, { stopTones: ['#'], maxRecordDurationInSeconds: 10 })
  await advance(s.mock, 500 + 3622)
  await expectEnd(s, opId, 'stopToneDetected', 4122)
  assert.equal((await recordingOf(s.mock, s.callId, opId)).durationMs, 3622)
})

test('scenario silent-caller: the defaults give initialSilenceTimeout at 5.5 s, every time', async (t) => {
  const s = await setup(t, { script: 'silent-caller' })
  const a = await record(s.mock, s.callId, {})
  const b = await record(s.mock, s.callId, {})
  await advance(s.mock, 11_000)
  await expectEnd(s, a, 'initialSilenceTimeout', 5500)
  await expectEnd(s, b, 'initialSilenceTimeout', 11_000)
})

test('scenario hang-up-mid-recording: the call ends at R + 1800 and the recording is never announced', async (t) => {
  const s = await setup(t, { script: { scenario: 'hang-up-mid-recording' } })
  const opId = await record(s.mock, s.callId, { stopTones: ['#'] })
  await advance(s.mock, 10_000)
  await noNotification(s, opId)
  const view = await callView(s.mock, s.callId)
  assert.deepEqual([view.state, view.endedBy, view.operations[0].endedAtMs, view.operations[0].notified], ['terminated', 'caller', 2300, false])
})

test('scenario prompt-fails: the first recordResponse fails with playPromptFailed, the retry succeeds', async (t) => {
  const s = await setup(t, { script: 'prompt-fails' })
  const a = await record(s.mock, s.callId, { prompts: [{ '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri: 'welcome.wav' } }], stopTones: ['#'] })
  await advance(s.mock, 0)
  await expectEnd(s, a, 'playPromptFailed', 0)
  const b = await record(s.mock, s.callId, { stopTones: ['#'] })
  await advance(s.mock, 5000)
  await expectEnd(s, b, 'stopToneDetected', 500 + 400 + 419)
})

test('when the responses run out: 1000 ms silence, 3000 ms speech, then the first stop tone', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ tone: '5' }] }] } })
  const first = await record(s.mock, s.callId, { stopTones: ['5'], playBeep: false })
  await advance(s.mock, 0)
  await expectEnd(s, first, 'stopToneDetected', 0)
  // Script run out: the default, ended by the first of the stop tones.
  const second = await record(s.mock, s.callId, { stopTones: ['*', '#'], playBeep: false })
  await advance(s.mock, 4000)
  await expectEnd(s, second, 'stopToneDetected', 4000)
  assert.equal((await recordingOf(s.mock, s.callId, second)).durationMs, 4000)
  // No stop tones: the default caller stops talking, so max silence (here 2 s) ends it.
  const third = await record(s.mock, s.callId, { playBeep: false, maxSilenceTimeoutInSeconds: 2, maxRecordDurationInSeconds: 30 })
  await advance(s.mock, 6000)
  await expectEnd(s, third, 'maxSilenceTimeout', 10_000)
})

test('a response is used up by its request even when the operation never runs (barged into)', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ speech: 60_000 }] }, { actions: [{ speech: 100 }, { tone: '2' }] }] } })
  const a = await record(s.mock, s.callId, {})
  const b = await record(s.mock, s.callId, { bargeInAllowed: true, playBeep: false, stopTones: ['2'] })
  await advance(s.mock, 100)
  assert.equal((await finalNotification(s, a)).value.resourceData.status, 'failed')
  await expectEnd(s, b, 'stopToneDetected', 100)
  assert.equal((await callView(s.mock, s.callId)).recordResponseRequests, 2)
})

test('speech given only as audio lasts the fixture\'s length; speech without audio and silence take their time', async (t) => {
  const s = await setup(t, { script: { responses: [{ actions: [{ audio: 'hello.wav' }, { silence: 999 }, { speech: 1 }, { silence: 60_000 }] }] } })
  const opId = await record(s.mock, s.callId, { maxSilenceTimeoutInSeconds: 1, maxRecordDurationInSeconds: 60 })
  await advance(s.mock, 60_000)
  // R 500 + hello 2222 + 999 silence (< 1 s) + 1 ms speech + 1000 ms silence.
  await expectEnd(s, opId, 'maxSilenceTimeout', 500 + 2222 + 999 + 1 + 1000)
})

async function outgoingCall (s: { mock: Setup['mock'], bot: Setup['bot'] }): Promise<string> {
  const res = await s.mock.app.inject({
    method: 'POST',
    url: '/v1.0/communications/calls',
    headers: JSON_HEADERS,
    payload: { callbackUri: s.bot.url, targets: [{ '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: { user: { id: 'u' } } }], requestedModalities: ['audio'], mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' } }
  })
  assert.equal(res.statusCode, 201, res.body)
  return (res.json() as { id: string }).id
}

const callStates = (s: { bot: Setup['bot'] }, callId: string): string[] => s.bot.received.map((n) => n.body.value[0]).filter((v) => v.resourceUrl === `/communications/calls/${callId}`).map((v) => `${v.changeType}:${v.resourceData.state}`)

test('answerAfterMs: a number delays the callee\'s answer; "never" leaves it establishing; "reject" ends it', async (t) => {
  const mock = await mockFor(t)
  const bot = await startBot(t)
  const s = { mock, bot }

  await control(mock, 'PUT', '/script', { answerAfterMs: 2500, responses: [{ actions: [{ speech: 200 }, { tone: '#' }] }] })
  const slow = await outgoingCall(s)
  await advance(mock, 2499)
  assert.deepEqual(callStates(s, slow), ['updated:establishing'])
  await advance(mock, 1)
  assert.deepEqual(callStates(s, slow), ['updated:establishing', 'updated:established'])
  // The default script also drives the callee's side of the recording.
  const opId = await record(mock, slow, { stopTones: ['#'] })
  await advance(mock, 700)
  assert.equal((await finalNotification({ mock, bot, callId: slow }, opId)).virtualMs, 3200)

  await control(mock, 'PUT', '/script', { scenario: 'never-answers' })
  const never = await outgoingCall(s)
  await advance(mock, 3_600_000)
  assert.deepEqual(callStates(s, never), ['updated:establishing'])
  assert.equal((await callView(mock, never)).state, 'establishing')

  await control(mock, 'PUT', '/script', 'callee-rejects')
  const rejected = await outgoingCall(s)
  await advance(mock, 0)
  assert.deepEqual(callStates(s, rejected), ['updated:establishing', 'deleted:terminated'])
  const view = await callView(mock, rejected)
  assert.deepEqual([view.state, view.resultInfo.code], ['terminated', 603])
  expectGraphError(await action(mock, rejected, 'recordResponse', {}), 404, '8522')
})

test('POST /_mock/calls/{id}/tones: validated, and only on an established call', async (t) => {
  const s = await setup(t)
  assert.match(expectGraphError(await control(s.mock, 'POST', `/calls/${s.callId}/tones`, { tones: '1E' }), 400, 'BadRequest'), /'tones'/)
  assert.match(expectGraphError(await control(s.mock, 'POST', `/calls/${s.callId}/tones`, { tones: '' }), 400, 'BadRequest'), /'tones'/)
  assert.match(expectGraphError(await control(s.mock, 'POST', `/calls/${s.callId}/tones`, {}), 400, 'BadRequest'), /'tones' is required/)
  expectGraphError(await control(s.mock, 'POST', '/calls/00000000-0000-4000-8000-000000000000/tones', { tones: '1' }), 404, '8522')
  const ringing = ((await control(s.mock, 'POST', '/calls', { callbackUri: s.bot.url })).json() as { id: string }).id
  assert.match(expectGraphError(await control(s.mock, 'POST', `/calls/${ringing}/tones`, { tones: '1' }), 400, 'BadRequest'), /state 'incoming'; it must be established/)
  await control(s.mock, 'POST', `/calls/${s.callId}/hangup`)
  expectGraphError(await control(s.mock, 'POST', `/calls/${s.callId}/tones`, { tones: '1' }), 404, '8522')
})

/** Bad scripts: a 400 that names the bad part, wherever a script is given. */
const BAD_SCRIPTS: Array<[unknown, string]> = [
  [{ responses: [{ actions: [{ silence: 800 }, { speak: 100 }] }] }, 'script.responses[0].actions[1] {"speak":100} is not an action; expected one of silence, speech, tone, hangup.'],
  [{ responses: [{ actions: [] }, { actions: [{ tone: 'E' }] }] }, 'script.responses[1].actions[0] {"tone":"E"} is not a valid tone action: \'tone\' must be one DTMF key: 0-9 * # A B C D.'],
  [{ responses: [{ actions: [{ tone: '12' }] }] }, 'script.responses[0].actions[0] {"tone":"12"} is not a valid tone action: \'tone\' must be one DTMF key: 0-9 * # A B C D.'],
  [{ responses: [{ actions: [{ silence: -1 }] }] }, 'script.responses[0].actions[0] {"silence":-1} is not a valid silence action: \'silence\' must be >= 0.'],
  [{ responses: [{ actions: [{ silence: '800' }] }] }, 'script.responses[0].actions[0] {"silence":"800"} is not a valid silence action: \'silence\' must be integer.'],
  [{ responses: [{ actions: [{ hangup: false }] }] }, 'script.responses[0].actions[0] {"hangup":false} is not a valid hangup action: \'hangup\' must be true.'],
  [{ responses: [{ actions: [{ speech: 0 }] }] }, 'script.responses[0].actions[0] {"speech":0} is not a valid speech action: \'speech\' must be >= 1.'],
  [{ responses: [{ actions: [{ speech: 100, volume: 3 }] }] }, 'script.responses[0].actions[0] {"speech":100,"volume":3} is not a valid speech action: unknown property \'volume\'.'],
  [{ responses: [{ actions: [{ silence: 100, tone: '#' }] }] }, 'script.responses[0].actions[0] {"silence":100,"tone":"#"} is not a valid silence action: unknown property \'tone\'.'],
  [{ responses: [{ actions: [{ speech: 100, audio: 'missing.wav' }] }] }, 'script.responses[0].actions[0] names audio \'missing.wav\', which is not a file in fixtures/audio/.'],
  [{ responses: [{ actions: [{ audio: '../secret.wav' }] }] }, 'script.responses[0].actions[0] {"audio":"../secret.wav"} is not a valid speech action: \'audio\' must be the name of a WAV file in fixtures/audio/.'],
  [{ responses: [{ actions: ['silence'] }] }, 'script.responses[0].actions[0] "silence" is not an action; expected an object such as {"silence": 800}, {"speech": 2500}, {"tone": "#"} or {"hangup": true}.'],
  [{ responses: [{ actions: {} }] }, 'script.responses[0].actions must be an array.'],
  [{ responses: [{ prompt: 'maybe' }] }, 'script.responses[0].prompt must be "ok" or "fail"; got "maybe".'],
  [{ responses: [{ wait: 1 }] }, 'script.responses[0] has an unknown property \'wait\'; expected actions, prompt.'],
  [{ responses: [5] }, 'script.responses[0] must be an object with actions and/or prompt.'],
  [{ responses: {} }, 'script.responses must be an array.'],
  [{ answerAfterMs: 'soon' }, 'script.answerAfterMs must be a whole number of ms (0..3600000), "never" or "reject"; got "soon".'],
  [{ answerAfterMs: -5 }, 'script.answerAfterMs must be a whole number of ms (0..3600000), "never" or "reject"; got -5.'],
  [{ foo: 1 }, 'script has an unknown property \'foo\'; expected answerAfterMs, responses.'],
  [{ description: 5 }, 'script.description must be a string.'],
  ['no-such-scenario', 'Unknown scenario \'no-such-scenario\'; known scenarios: callee-rejects, hang-up-mid-recording, leave-a-message, never-answers, press-pound, prompt-fails, silent-caller, slow-answer.'],
  ['../etc', 'Scenario name \'../etc\' is not valid.'],
  [{ scenario: 'press-pound', extra: 1 }, 'A scenario reference is {"scenario": "name"} with nothing else.']
]

test('bad scripts get a 400 naming the bad action, on every way to give one; nothing changes', async (t) => {
  const s = await setup(t)
  for (const [script, message] of BAD_SCRIPTS) {
    const body = JSON.stringify(script)
    for (const [method, url, payload] of [['PUT', `/_mock/calls/${s.callId}/script`, body], ['PUT', '/_mock/script', body], ['POST', '/_mock/calls', JSON.stringify({ callbackUri: s.bot.url, script })]] as const) {
      const res = await s.mock.app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload })
      assert.equal(expectGraphError(res, 400, 'BadRequest'), message, `${method} ${url} ${body}`)
    }
  }
  const view = await callView(s.mock, s.callId)
  assert.equal(view.hasOwnScript, false)
  assert.equal(((await control(s.mock, 'GET', '/script')).json() as { script: unknown }).script, null)
  assert.equal(((await control(s.mock, 'GET', '/calls')).json() as { value: unknown[] }).value.length, 1)
})
