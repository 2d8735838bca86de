import type { CallerAudioEvent } from './caller-audio.js'
import type { Call, Operation } from './model.js'

/**
 * What the engine tells the outside world. The sink must read what it needs synchronously: the call and
 * operation objects go on changing after the event.
 */
export type EngineEvent =
  | { type: 'call', changeType: 'created' | 'updated' | 'deleted', call: Call, toneInfo?: { sequenceId: number, tone: string } }
  | { type: 'operation', call: Call, operation: Operation }

export type EventSink = (event: EngineEvent) => void

/**
 * What happens in the engine without a notification to the bot: an operation starts running (its
 * response said so), or one ends unannounced because its call ended. For the mock's own log.
 */
export type EngineNote =
  | { type: 'operationStarted', call: Call, operation: Operation }
  | { type: 'operationEndedWithCall', call: Call, operation: Operation }

export type NoteSink = (note: EngineNote) => void

/** Where finished recordings go (the recordings store); the engine knows nothing of audio or HTTP. */
export interface RecordingSink {
  /** Keeps a recording of the given window; returns where and with which token it can be downloaded. */
  create (spec: { callId: string, operationId: string, durationMs: number, audio: CallerAudioEvent[] }): { location: string, token: string }
  /** The call ended: its recordings expire after the retention time. */
  callEnded (callId: string): void
}
