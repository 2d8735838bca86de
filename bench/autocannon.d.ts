// autocannon ships no types; only what the benchmarks use.
declare module 'autocannon' {
  interface Histogram { average: number, mean: number, stddev: number, min: number, max: number, total: number, p50: number, p90: number, p97_5: number, p99: number }
  export interface Result { requests: Histogram, latency: Histogram, throughput: Histogram, errors: number, timeouts: number, non2xx: number, duration: number, '2xx': number }
  interface RequestParams { method?: string, path?: string, headers?: Record<string, string>, body?: string }
  export interface Options { url: string, method?: string, headers?: Record<string, string>, body?: string, connections?: number, pipelining?: number, duration?: number, amount?: number, workers?: number, requests?: Array<RequestParams & { setupRequest?: (req: RequestParams) => RequestParams }> }
  function autocannon (options: Options): Promise<Result>
  export default autocannon
}
