/**
 * What the scripted caller put on the line during a recording window, as the engine hands it to the
 * recording sink. Times are ms from the start of the window; the sink turns them into audio.
 */
export type CallerAudioEvent =
  | { kind: 'speech', startMs: number, durationMs: number, audio?: string } // audio = fixture file name; absent = synthetic voice
  | { kind: 'tone', atMs: number, key: string } // DTMF key: 0-9 * # A B C D
