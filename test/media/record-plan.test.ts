import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultActions, planRecordResponse, type RecordPlan, type RecordPlanInput } from '../../src/engine/media/record-plan.js'

/**
 * planRecordResponse on its own, one row per outcome of the table in docs/caller-scripts.md ("How the
 * outcome is decided") and per edge case. operationCanceled is not planned: cancel, barge-in and
 * hang-ups through the control API are live events, tested through HTTP in record-outcomes.test.ts.
 */
interface Row {
  name: string
  /** What differs from no prompt, no beep, the 5 s defaults, no stopTones and no actions. */
  input: Partial<RecordPlanInput>
  outcome: RecordPlan['outcome']
  windowStartMs: number
  endMs: number
  audio?: RecordPlan['audio']
  tones?: RecordPlan['tones']
}

/** Fixture lengths as the recording store would report them. */
const FIXTURES: Record<string, number> = { 'hello.wav': 1500 }

function plan (input: Partial<RecordPlanInput>): RecordPlan {
  return planRecordResponse({
    promptMs: 0,
    promptFails: false,
    playBeep: false,
    initialSilenceMs: 5000,
    maxSilenceMs: 5000,
    maxRecordMs: 5000,
    stopTones: [],
    actions: [],
    fixtureMs: (name) => FIXTURES[name],
    ...input
  })
}

const ROWS: Row[] = [
  // The outcome table, one row each (the first and the max-silence row are the doc's worked examples).
  {
    name: 'stop tone: a 2 s prompt, the beep, silence, speech, then # ends the window at the key',
    input: { promptMs: 2000, playBeep: true, stopTones: ['#'], actions: [{ silence: 800 }, { speech: 2500 }, { tone: '#' }] },
    outcome: 'stopToneDetected',
    windowStartMs: 2500,
    endMs: 5800,
    audio: [{ kind: 'speech', startMs: 800, durationMs: 2500 }, { kind: 'tone', atMs: 3300, key: '#' }],
    tones: [{ atMs: 5800, key: '#' }]
  },
  {
    name: 'max record duration: speech longer than the window is cut at maxRecordDurationInSeconds',
    input: { maxRecordMs: 4000, actions: [{ speech: 10000 }] },
    outcome: 'maxRecordDurationReached',
    windowStartMs: 0,
    endMs: 4000,
    audio: [{ kind: 'speech', startMs: 0, durationMs: 4000 }],
    tones: []
  },
  {
    name: 'max silence: 1200 ms of speech then 2 s of silence',
    input: { maxSilenceMs: 2000, maxRecordMs: 10000, actions: [{ speech: 1200 }] },
    outcome: 'maxSilenceTimeout',
    windowStartMs: 0,
    endMs: 3200,
    audio: [{ kind: 'speech', startMs: 0, durationMs: 1200 }]
  },
  {
    name: 'initial silence: no speech within initialSilenceTimeoutInSeconds of R',
    input: { initialSilenceMs: 3000, actions: [] },
    outcome: 'initialSilenceTimeout',
    windowStartMs: 0,
    endMs: 3000,
    audio: []
  },
  {
    name: 'prompt failure: the operation fails at once, before any window, whatever the caller does',
    input: { promptMs: 2000, playBeep: true, promptFails: true, stopTones: ['#'], actions: [{ tone: '#' }] },
    outcome: 'playPromptFailed',
    windowStartMs: 0,
    endMs: 0,
    audio: [],
    tones: []
  },
  {
    name: 'hang-up: the caller hangs up after speaking',
    input: { actions: [{ speech: 1000 }, { hangup: true }, { tone: '#' }], stopTones: ['#'] },
    outcome: 'callerHungUp',
    windowStartMs: 0,
    endMs: 1000,
    audio: [{ kind: 'speech', startMs: 0, durationMs: 1000 }],
    tones: []
  },
  // Edge cases.
  {
    name: 'a stop tone at the window\'s start ends it with an empty recording',
    input: { promptMs: 2000, playBeep: true, stopTones: ['#'], actions: [{ tone: '#' }] },
    outcome: 'stopToneDetected',
    windowStartMs: 2500,
    endMs: 2500,
    audio: [{ kind: 'tone', atMs: 0, key: '#' }],
    tones: [{ atMs: 2500, key: '#' }]
  },
  {
    name: 'silence that lasts exactly the initial-silence timeout ends at the timeout',
    input: { initialSilenceMs: 3000, maxRecordMs: 10000, actions: [{ silence: 3000 }, { speech: 1000 }] },
    outcome: 'initialSilenceTimeout',
    windowStartMs: 0,
    endMs: 3000,
    audio: []
  },
  {
    name: 'silence that lasts exactly the max-silence timeout after speech ends at the timeout (later speech comes too late)',
    input: { maxSilenceMs: 2000, maxRecordMs: 10000, actions: [{ speech: 1000 }, { silence: 2000 }, { speech: 1000 }] },
    outcome: 'maxSilenceTimeout',
    windowStartMs: 0,
    endMs: 3000,
    audio: [{ kind: 'speech', startMs: 0, durationMs: 1000 }]
  },
  {
    name: 'speech, a pause shorter than max silence, more speech, then max silence counts from the last speech',
    input: { maxSilenceMs: 1000, maxRecordMs: 10000, actions: [{ speech: 1000 }, { silence: 500 }, { speech: 1000 }] },
    outcome: 'maxSilenceTimeout',
    windowStartMs: 0,
    endMs: 3500,
    audio: [{ kind: 'speech', startMs: 0, durationMs: 1000 }, { kind: 'speech', startMs: 1500, durationMs: 1000 }]
  },
  {
    name: 'tie: a caller who never spoke fails when initial silence and max duration fall together',
    input: { initialSilenceMs: 5000, maxRecordMs: 5000, actions: [{ silence: 8000 }] },
    outcome: 'initialSilenceTimeout',
    windowStartMs: 0,
    endMs: 5000,
    audio: []
  },
  {
    name: 'tie: a caller who spoke completes at max duration when max silence falls at the same moment',
    input: { maxSilenceMs: 2000, maxRecordMs: 5000, actions: [{ speech: 3000 }] },
    outcome: 'maxRecordDurationReached',
    windowStartMs: 0,
    endMs: 5000,
    audio: [{ kind: 'speech', startMs: 0, durationMs: 3000 }]
  },
  {
    name: 'tie: a stop key at the very moment of max duration comes too late',
    input: { maxRecordMs: 5000, stopTones: ['#'], actions: [{ speech: 3000 }, { silence: 2000 }, { tone: '#' }] },
    outcome: 'maxRecordDurationReached',
    windowStartMs: 0,
    endMs: 5000,
    audio: [{ kind: 'speech', startMs: 0, durationMs: 3000 }],
    tones: []
  },
  {
    name: 'tie: a stop key right after speech that fills the window comes too late',
    input: { maxRecordMs: 5000, stopTones: ['#'], actions: [{ speech: 5000 }, { tone: '#' }] },
    outcome: 'maxRecordDurationReached',
    windowStartMs: 0,
    endMs: 5000,
    audio: [{ kind: 'speech', startMs: 0, durationMs: 5000 }],
    tones: []
  },
  {
    name: 'no speech: keys that are not stop tones are recorded but do not end the window, nor count as speech',
    input: { initialSilenceMs: 3000, stopTones: ['#'], actions: [{ silence: 1000 }, { tone: '1' }] },
    outcome: 'initialSilenceTimeout',
    windowStartMs: 0,
    endMs: 3000,
    audio: [{ kind: 'tone', atMs: 1000, key: '1' }],
    tones: [{ atMs: 1000, key: '1' }]
  },
  {
    name: 'empty actions with every default: 5 s of silence fail with initial silence',
    input: { playBeep: true, actions: [] },
    outcome: 'initialSilenceTimeout',
    windowStartMs: 500,
    endMs: 5500,
    audio: [],
    tones: []
  },
  {
    name: 'speech given as audio lasts the fixture\'s length; an unknown fixture or a bare speech lasts 1 s',
    input: { maxSilenceMs: 1000, maxRecordMs: 10000, actions: [{ audio: 'hello.wav' }, { audio: 'nowhere.wav' }, {}] },
    outcome: 'maxSilenceTimeout',
    windowStartMs: 0,
    endMs: 4500,
    audio: [
      { kind: 'speech', startMs: 0, durationMs: 1500, audio: 'hello.wav' },
      { kind: 'speech', startMs: 1500, durationMs: 1000, audio: 'nowhere.wav' },
      { kind: 'speech', startMs: 2500, durationMs: 1000 }
    ]
  },
  {
    name: 'default response with a stopTone: 1 s silence, 3 s speech, then the first stop tone',
    input: { promptMs: 2000, playBeep: true, stopTones: ['#', '*'], actions: defaultActions(['#', '*']) },
    outcome: 'stopToneDetected',
    windowStartMs: 2500,
    endMs: 6500,
    audio: [{ kind: 'speech', startMs: 1000, durationMs: 3000 }, { kind: 'tone', atMs: 4000, key: '#' }],
    tones: [{ atMs: 6500, key: '#' }]
  },
  {
    name: 'default response without stopTones: the caller falls silent and the window reaches max duration',
    input: { promptMs: 2000, playBeep: true, actions: defaultActions([]) },
    outcome: 'maxRecordDurationReached',
    windowStartMs: 2500,
    endMs: 7500,
    audio: [{ kind: 'speech', startMs: 1000, durationMs: 3000 }],
    tones: []
  }
]

for (const row of ROWS) {
  test(`planRecordResponse: ${row.name}`, () => {
    const got = plan(row.input)
    assert.deepEqual({ outcome: got.outcome, windowStartMs: got.windowStartMs, endMs: got.endMs }, { outcome: row.outcome, windowStartMs: row.windowStartMs, endMs: row.endMs })
    if (row.audio) assert.deepEqual(got.audio, row.audio)
    if (row.tones) assert.deepEqual(got.tones, row.tones)
    // Pure: planning the same input again gives the same plan.
    assert.deepEqual(plan(row.input), got)
  })
}

test('defaultActions: silence, speech, then the first stop tone when there is one', () => {
  assert.deepEqual(defaultActions(['#', '*']), [{ silence: 1000 }, { speech: 3000 }, { tone: '#' }])
  assert.deepEqual(defaultActions([]), [{ silence: 1000 }, { speech: 3000 }])
})
