import type { OperationStatus, ResultInfo } from '../model.js'

/** How a recordResponse ended (see docs/caller-scripts.md); `callerHungUp` ends it with the call, unannounced. */
export type RecordOutcome = 'stopToneDetected' | 'maxRecordDurationReached' | 'maxSilenceTimeout' | 'initialSilenceTimeout' | 'playPromptFailed' | 'operationCanceled' | 'callerHungUp'

interface OutcomeRow { status: OperationStatus, completionReason: string, resultInfo: ResultInfo | null, recorded: boolean }

/** The outcome table of docs/caller-scripts.md: status, beta completionReason, resultInfo, and whether audio is kept. */
export const RECORD_OUTCOMES: Record<RecordOutcome, OutcomeRow> = {
  stopToneDetected: { status: 'completed', completionReason: 'stopToneDetected', resultInfo: { code: 200, subcode: 8514, message: 'Action completed, stop tone detected.' }, recorded: true },
  maxRecordDurationReached: { status: 'completed', completionReason: 'maxRecordDurationReached', resultInfo: { code: 200, subcode: 8515, message: 'Action completed, max record duration reached.' }, recorded: true },
  maxSilenceTimeout: { status: 'completed', completionReason: 'maxSilenceTimeout', resultInfo: { code: 200, subcode: 8513, message: 'Action completed, max silence timeout reached.' }, recorded: true },
  initialSilenceTimeout: { status: 'failed', completionReason: 'initialSilenceTimeout', resultInfo: { code: 400, subcode: 8510, message: 'Action failed, initial silence timeout reached.' }, recorded: false },
  playPromptFailed: { status: 'failed', completionReason: 'playPromptFailed', resultInfo: { code: 400, subcode: 8511, message: 'Action failed, failure while playing the prompt.' }, recorded: false },
  operationCanceled: { status: 'failed', completionReason: 'operationCanceled', resultInfo: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' }, recorded: false },
  // Graph sends nothing when the call ends under a recording (see docs/decisions/media-engine.md).
  callerHungUp: { status: 'failed', completionReason: 'operationCanceled', resultInfo: null, recorded: false }
}

export const PLAY_PROMPT_COMPLETED: ResultInfo = { code: 200, subcode: 0, message: 'Action completed successfully.' }
