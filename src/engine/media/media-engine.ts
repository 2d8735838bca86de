import type { Timer } from '../../clock/clock.js'
import { graphErrors } from '../../errors/graph-error.js'
import type { CallerAudioEvent } from '../caller-audio.js'
import { assertTransition } from '../call-states.js'
import type { EngineContext } from '../context.js'
import { newId } from '../../ids.js'
import { TONE_NAMES, type DtmfKey } from '../dtmf.js'
import type { ApiVersion, Call, MediaPrompt, Operation, OperationKind, PlayPromptParams, RecordParams } from '../model.js'
import { PLAY_PROMPT_COMPLETED, RECORD_OUTCOMES, type RecordOutcome } from './outcomes.js'
import { clipAudio, defaultActions, planRecordResponse, type RecordPlan } from './record-plan.js'

/**
 * playPrompt and recordResponse operations that may wait behind a call's running one; another is refused.
 * A bot that queues more is looping, not running an IVR (docs/decisions/limits-calls.md).
 */
export const MAX_QUEUED_OPERATIONS = 100

/**
 * Operations a call keeps (GET …/operations/{id}, GET /_mock/calls/{id}); beyond it the oldest finished
 * one is forgotten. Bounds a long call's memory, and what listing it costs.
 */
export const MAX_OPERATIONS_PER_CALL = 1000

/** A prompt whose URI names no fixture lasts this long (see docs/caller-scripts.md). */
export const DEFAULT_PROMPT_MS = 2000

interface Running {
  op: Operation
  timers: Timer[]
  plan?: RecordPlan
  /** Keys pressed live during the recording window, ms after R. */
  liveAudio: CallerAudioEvent[]
}

interface CallMedia { running: Running | undefined, queue: Operation[] }

/** Appends without the slack a push onto an empty array allocates (17 slots), as most arrays here hold one item. */
function appended<T> (items: T[], item: T): T[] {
  if (items.length === 0) return [item]
  items.push(item)
  return items
}

/**
 * The per-call media queue (see docs/caller-scripts.md and docs/graph-behaviour.md, Media operations): playPrompt and recordResponse run one at a
 * time in arrival order; barge-in and cancelMediaProcessing cancel what is running and queued. A call
 * has an entry only while something runs or waits.
 */
export function createMediaEngine (ctx: EngineContext, hooks: { hangUpByCaller: (call: Call) => void }) {
  const { clock, emit } = ctx
  const media = new Map<string, CallMedia>()
  const mediaOf = (call: Call): CallMedia => {
    let m = media.get(call.id)
    if (!m) { m = { running: undefined, queue: [] }; media.set(call.id, m) }
    return m
  }
  const runningOf = (call: Call): Running | undefined => media.get(call.id)?.running
  function dropIfIdle (call: Call): void {
    const m = media.get(call.id)
    if (m && !m.running && m.queue.length === 0) media.delete(call.id)
  }

  // The timeline is in whole virtual ms (fixtures are e.g. 2957.3125 ms long): lengths are rounded.
  const rounded = (ms: number | undefined): number | undefined => ms === undefined ? undefined : Math.round(ms)
  const fixtureMs = (name: string): number | undefined => rounded(ctx.fixtureMs(name))

  function promptMs (prompts: MediaPrompt[]): number {
    return prompts.reduce((sum, p) => sum + (rounded(ctx.promptMs(p.mediaInfo.uri)) ?? DEFAULT_PROMPT_MS), 0)
  }

  /** Refuses a playPrompt or recordResponse that would wait behind MAX_QUEUED_OPERATIONS others. */
  function assertRoomInQueue (call: Call, bargeIn: boolean): void {
    const waiting = media.get(call.id)?.queue.length ?? 0
    // A barge-in cancels what waits, so it always has room.
    if (!bargeIn && waiting >= MAX_QUEUED_OPERATIONS) throw graphErrors.badRequest(`Call ${call.id} already has ${waiting} media operations waiting; the limit is ${MAX_QUEUED_OPERATIONS} (MAX_QUEUED_OPERATIONS). Wait for them, or cancelMediaProcessing.`)
  }

  function newOperation (call: Call, kind: OperationKind, clientContext: string | undefined, apiVersion: ApiVersion): Operation {
    // The oldest finished operation is forgotten to make room: a call's operations stay bounded however long it runs.
    if (call.operations.length >= MAX_OPERATIONS_PER_CALL) {
      const oldest = call.operations.findIndex((o) => o.status === 'completed' || o.status === 'failed')
      call.operations = call.operations.filter((_, i) => i !== oldest)
    }
    const op: Operation = {
      id: newId(),
      kind,
      callId: call.id,
      status: 'notStarted',
      clientContext: clientContext ?? null,
      resultInfo: null,
      completionReason: null,
      recordingLocation: null,
      recordingAccessToken: null,
      apiVersion,
      createdAt: clock.now(),
      startedAt: null,
      endedAt: null,
      notified: false,
      etag: 1,
      record: undefined,
      playPrompt: undefined
    }
    call.operations = appended(call.operations, op)
    return op
  }

  function toneNotification (call: Call, key: string): void {
    if (!call.toneSubscribed || call.state !== 'established') return
    emit({ type: 'call', changeType: 'updated', call, toneInfo: { sequenceId: ++call.toneSequence, tone: TONE_NAMES[key as DtmfKey] } })
  }

  /** Ends an operation; announced unless the call ended under it. */
  function settle (call: Call, op: Operation, fields: Pick<Operation, 'status' | 'resultInfo' | 'completionReason'> & Partial<Operation>, announce: boolean): void {
    Object.assign(op, fields)
    op.endedAt = clock.now()
    op.etag++
    op.notified = announce
    if (announce) emit({ type: 'operation', call, operation: op })
    else ctx.note({ type: 'operationEndedWithCall', call, operation: op })
    // What a recording was asked to do is needed only while it runs. (playPrompt's prompts stay: its
    // notification echoes them, and is rendered when sent.)
    op.record = undefined
  }

  function finishRunning (call: Call, fields: Parameters<typeof settle>[2]): void {
    const m = media.get(call.id)
    const r = m?.running
    if (!m || !r) return
    for (const t of r.timers) t.cancel()
    m.running = undefined
    settle(call, r.op, fields, true)
    startNext(call)
    dropIfIdle(call)
  }

  function finishRecord (call: Call, outcome: RecordOutcome, windowMs: number): void {
    const r = runningOf(call)
    if (!r?.plan || !r.op.record) return
    const row = RECORD_OUTCOMES[outcome]
    let location: string | null = null
    let token: string | null = null
    if (row.recorded) {
      // concat allocates exactly (a spread leaves room): the recording keeps this array.
      const audio = clipAudio(r.plan.audio, windowMs).concat(r.liveAudio).sort((a, b) => at(a) - at(b))
      const ref = ctx.recordings.create({ callId: call.id, operationId: r.op.id, durationMs: windowMs, audio })
      location = ref.location
      token = ref.token
    }
    finishRunning(call, { status: row.status, completionReason: row.completionReason, resultInfo: row.resultInfo, recordingLocation: location, recordingAccessToken: token })
  }

  function start (call: Call, op: Operation): void {
    const m = mediaOf(call)
    op.status = 'running'
    op.startedAt = clock.now()
    ctx.note({ type: 'operationStarted', call, operation: op })
    const running: Running = { op, timers: [], plan: undefined, liveAudio: [] }
    m.running = running
    if (op.record) {
      const p = op.record
      const plan = planRecordResponse({
        promptMs: promptMs(p.prompts),
        promptFails: p.response.prompt === 'fail',
        playBeep: p.playBeep,
        initialSilenceMs: p.initialSilenceTimeoutInSeconds * 1000,
        maxSilenceMs: p.maxSilenceTimeoutInSeconds * 1000,
        maxRecordMs: p.maxRecordDurationInSeconds * 1000,
        stopTones: p.stopTones,
        actions: p.response.actions ?? defaultActions(p.stopTones),
        fixtureMs
      })
      running.plan = plan
      // map and concat allocate exactly; a push or a spread leaves room for 16 more.
      running.timers = plan.tones.map((tone) => clock.setTimer(tone.atMs, () => toneNotification(call, tone.key))).concat(
        clock.setTimer(plan.endMs, () => {
          if (plan.outcome === 'callerHungUp') hooks.hangUpByCaller(call)
          else finishRecord(call, plan.outcome, plan.endMs - plan.windowStartMs)
        })
      )
    } else if (op.playPrompt && !op.playPrompt.loop) {
      running.timers = [clock.setTimer(promptMs(op.playPrompt.prompts), () => finishRunning(call, {
        status: 'completed',
        resultInfo: PLAY_PROMPT_COMPLETED,
        completionReason: 'completedSuccessfully'
      }))]
    }
  }

  function startNext (call: Call): void {
    const m = mediaOf(call)
    if (m.running || call.state !== 'established') return
    const next = m.queue.shift()
    if (next) start(call, next)
  }

  function enqueue (call: Call, op: Operation, bargeIn: boolean): void {
    if (bargeIn) cancelAll(call, true)
    const m = mediaOf(call)
    m.queue = appended(m.queue, op)
    startNext(call)
  }

  /** Cancels the running and queued operations; announced (cancel, barge-in) or silent (call ended). */
  function cancelAll (call: Call, announce: boolean): void {
    const m = media.get(call.id)
    if (!m) return
    media.delete(call.id)
    const ops = [...(m.running ? [m.running.op] : []), ...m.queue]
    for (const t of m.running?.timers ?? []) t.cancel()
    for (const op of ops) {
      const isRecord = op.kind === 'recordResponse'
      settle(call, op, {
        status: 'failed',
        resultInfo: announce ? RECORD_OUTCOMES.operationCanceled.resultInfo : null,
        completionReason: isRecord ? 'operationCanceled' : 'mediaOperationCanceled',
        // Graph carries empty strings on a canceled recordOperation (see docs/graph-behaviour.md, Media operations).
        ...(isRecord && announce ? { recordingLocation: '', recordingAccessToken: '' } : {})
      }, announce)
    }
  }

  function completedOperation (call: Call, kind: OperationKind, clientContext: string | undefined, apiVersion: ApiVersion): Operation {
    const op = newOperation(call, kind, clientContext, apiVersion)
    op.status = 'completed'
    op.startedAt = op.endedAt = clock.now()
    return op
  }

  function assertMediaCall (call: Call, action: string): void {
    assertTransition(call, 'media', `run ${action} on`)
    const type = String(call.mediaConfig?.['@odata.type'] ?? '')
    if (!/serviceHostedMediaConfig$/i.test(type)) {
      throw graphErrors.invalidState(`${action} is only supported for calls with serviceHostedMediaConfig; call ${call.id} uses ${type.replace(/^#?microsoft\.graph\./, '') || 'no mediaConfig'}.`)
    }
  }

  return {
    recordResponse (call: Call, params: RecordParams, clientContext: string | undefined, apiVersion: ApiVersion): Operation {
      assertMediaCall(call, 'recordResponse')
      assertRoomInQueue(call, params.bargeInAllowed)
      const response = ctx.scripts.responseFor(call.script, call.recordRequests++) ?? {}
      const op = newOperation(call, 'recordResponse', clientContext, apiVersion)
      // Field by field: a spread with one more property gives each object its own hidden class.
      op.record = {
        prompts: params.prompts,
        bargeInAllowed: params.bargeInAllowed,
        initialSilenceTimeoutInSeconds: params.initialSilenceTimeoutInSeconds,
        maxSilenceTimeoutInSeconds: params.maxSilenceTimeoutInSeconds,
        maxRecordDurationInSeconds: params.maxRecordDurationInSeconds,
        playBeep: params.playBeep,
        stopTones: params.stopTones,
        response
      }
      enqueue(call, op, params.bargeInAllowed)
      return op
    },
    playPrompt (call: Call, params: PlayPromptParams, clientContext: string | undefined, apiVersion: ApiVersion): Operation {
      assertMediaCall(call, 'playPrompt')
      assertRoomInQueue(call, false)
      const op = newOperation(call, 'playPrompt', clientContext, apiVersion)
      op.playPrompt = params
      enqueue(call, op, false)
      return op
    },
    cancelMediaProcessing (call: Call, clientContext: string | undefined, apiVersion: ApiVersion): Operation {
      assertMediaCall(call, 'cancelMediaProcessing')
      cancelAll(call, true)
      return completedOperation(call, 'cancelMediaProcessing', clientContext, apiVersion)
    },
    subscribeToTone (call: Call, clientContext: string | undefined, apiVersion: ApiVersion): Operation {
      assertMediaCall(call, 'subscribeToTone')
      call.toneSubscribed = true
      return completedOperation(call, 'subscribeToTone', clientContext, apiVersion)
    },
    /** The caller presses keys now (control API): tone notifications, and a stop tone ends a recording. */
    pressTones (call: Call, keys: string): void {
      for (const raw of keys) {
        const key = raw.toUpperCase()
        toneNotification(call, key)
        const r = runningOf(call)
        // A failed prompt ends the operation at its start: there is no window for the key to land in.
        if (!r?.plan || !r.op.record || r.plan.outcome === 'playPromptFailed') continue
        const windowAt = clock.now() - (r.op.startedAt ?? 0) - r.plan.windowStartMs
        if (windowAt < 0) continue // the recording window has not opened yet
        r.liveAudio.push({ kind: 'tone', atMs: windowAt, key })
        if (r.op.record.stopTones.includes(key)) finishRecord(call, 'stopToneDetected', windowAt)
      }
    },
    /** The call ended: whatever runs or waits is dropped without a notification (see docs/decisions/media-engine.md). */
    callEnded (call: Call): void {
      cancelAll(call, false)
    },
    reset (): void { media.clear() }
  }
}

function at (e: CallerAudioEvent): number {
  return e.kind === 'tone' ? e.atMs : e.startMs
}
