/**
 * The one clock every timer in the product runs on (see docs/control-api.md). Time is virtual
 * milliseconds since the clock started; `real` mode maps it to wall time (scaled by TIME_SCALE), `manual`
 * mode moves only through advance(). A single heap of due events is served by at most one Node timer,
 * so ten thousand calls cost ten thousand heap entries, not ten thousand timers.
 */
export interface Timer { cancel(): void }

export interface Clock {
  readonly mode: 'real' | 'manual'
  /** Virtual ms since start. */
  now(): number
  /** Wall-clock ISO time corresponding to virtual `at` (default now). */
  isoAt(at?: number): string
  /** Runs fn once virtual `delayMs` has passed. */
  setTimer(delayMs: number, fn: () => void): Timer
  /**
   * Manual mode: runs every event due in the next `ms`, in time order. Advances run one after another,
   * each moving time by its own `ms`; `settle` runs before the first event and after each one. Resolves
   * false when a reset came first or in the middle: the advance then stops and moves time no further.
   */
  advance(ms: number, settle?: () => Promise<void>): Promise<boolean>
  /** Forgets every pending event and returns to virtual time 0; advances requested before it stop. */
  reset(): void
  /** Stops the underlying Node timer (server close). */
  stop(): void
  /** Events in the queue, cancelled ones included: a cancelled timer leaves it only when its time comes. */
  pending(): number
}

const NOTHING = (): void => {}
const nextTurn = async (): Promise<void> => { await new Promise<void>((resolve) => setImmediate(resolve)) }

/** A due event is its own Timer: no handle object and closure per timer beside it. */
class Entry implements Timer {
  cancelled = false
  constructor (readonly at: number, readonly seq: number, public fn: () => void) {}

  /** The entry stays in the heap until its time; what the callback holds (a call, a plan) is let go now. */
  cancel (): void {
    this.cancelled = true
    this.fn = NOTHING
  }
}

class EventHeap {
  private items: Entry[] = []
  get size (): number { return this.items.length }
  peek (): Entry | undefined { return this.items[0] }
  clear (): void { this.items = [] }
  push (e: Entry): void {
    const a = this.items
    a.push(e)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(a[i], a[p])) break
      ;[a[i], a[p]] = [a[p], a[i]]
      i = p
    }
  }

  pop (): Entry | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1; const r = l + 1; let m = i
        if (l < a.length && before(a[l], a[m])) m = l
        if (r < a.length && before(a[r], a[m])) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m], a[i]]
        i = m
      }
    }
    return top
  }
}

function before (x: Entry, y: Entry): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq)
}

export interface ClockOptions { mode: 'real' | 'manual', timeScale?: number, onError?: (err: unknown) => void }

export function createClock (options: ClockOptions): Clock {
  const { mode } = options
  const scale = options.timeScale ?? 1
  const heap = new EventHeap()
  let seq = 0
  let manualNow = 0
  let startWall = Date.now()
  // performance.now() keeps sub-millisecond precision, which a scaled clock needs (0.01 makes 1 ms = 100 virtual ms).
  let startPerf = performance.now()
  let timer: NodeJS.Timeout | undefined
  let armedFor = Infinity
  let lastWall = NaN
  let lastIso = ''
  // Advances queue behind each other; a reset starts a new generation, which ends the queued and running ones.
  let generation = 0
  let advancing: Promise<unknown> = Promise.resolve()

  const now = (): number => mode === 'manual' ? manualNow : (performance.now() - startPerf) / scale

  /**
   * One advance, once the ones before it are done. The target is taken when its turn comes, not when it
   * was asked for, so overlapping advances add up; after every await it checks no reset came in between.
   */
  async function advanceBy (ms: number, mine: number, settle: () => Promise<void>): Promise<boolean> {
    if (mine !== generation) return false
    await settle()
    const target = manualNow + ms
    const current = (): boolean => mine === generation
    while (current() && heap.size > 0 && heap.peek()!.at <= target) {
      const e = heap.pop()!
      if (e.cancelled) continue
      manualNow = Math.max(manualNow, e.at)
      run(e)
      // Let promise chains started by the event schedule their follow-ups at this same instant.
      await settle()
    }
    if (!current()) return false
    manualNow = target
    return true
  }

  function run (e: Entry): void {
    if (e.cancelled) return
    try { e.fn() } catch (err) { options.onError?.(err) }
  }

  // Real mode: one Node timer, armed for the earliest event.
  function arm (): void {
    if (mode !== 'real') return
    const next = heap.peek()
    if (!next) { armedFor = Infinity; return }
    if (timer && armedFor <= next.at) return
    if (timer) clearTimeout(timer)
    armedFor = next.at
    timer = setTimeout(fire, Math.max(0, (next.at - now()) * scale))
    timer.unref()
  }

  function fire (): void {
    timer = undefined
    armedFor = Infinity
    const t = now()
    while (heap.size > 0 && heap.peek()!.at <= t) run(heap.pop()!)
    arm()
  }

  return {
    mode,
    now,
    isoAt (at = now()) {
      // Whole milliseconds, as Date keeps them; the last one is remembered (every request asks for it).
      const wall = Math.floor(mode === 'manual' ? startWall + at : startWall + at * scale)
      if (wall !== lastWall) { lastWall = wall; lastIso = new Date(wall).toISOString() }
      return lastIso
    },
    setTimer (delayMs, fn) {
      const e = new Entry(now() + Math.max(0, delayMs), seq++, fn)
      heap.push(e)
      arm()
      return e
    },
    async advance (ms, settle = nextTurn) {
      if (mode !== 'manual') throw new Error('advance() needs the manual clock')
      const mine = generation
      const previous = advancing
      const turn = (async () => {
        await previous
        return await advanceBy(ms, mine, settle)
      })()
      advancing = turn.then(NOTHING, NOTHING)
      return await turn
    },
    reset () {
      generation++
      advancing = Promise.resolve()
      heap.clear()
      manualNow = 0
      startWall = Date.now()
      startPerf = performance.now()
      if (timer) clearTimeout(timer)
      timer = undefined
      armedFor = Infinity
    },
    stop () {
      if (timer) clearTimeout(timer)
      timer = undefined
      armedFor = Infinity
    },
    pending () { return heap.size }
  }
}
