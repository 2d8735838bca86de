import { resolve } from 'node:path'
import { Value } from 'typebox/value'
import { fixturesDirProblem } from './fixtures-dir.js'
import { SETTINGS, SettingsSchema, type SettingInfo, type Settings } from './settings.js'

/** A setting that cannot be used; start-up stops with its message. */
export class SettingsError extends Error {
  constructor (readonly setting: SettingInfo, value: unknown, rule: string) {
    super(`Invalid setting ${setting.env} (${setting.flag}): ${JSON.stringify(value)} ${rule}`)
    this.name = 'SettingsError'
  }
}

function ruleOf (info: SettingInfo): string {
  const schema = SettingsSchema.properties[info.name] as unknown as Record<string, unknown>
  if (info.kind === 'enum') return `is not one of ${info.values!.join(', ')}`
  if (info.kind === 'integer' || info.kind === 'number') {
    const min = schema.minimum !== undefined ? `at least ${String(schema.minimum)}` : schema.exclusiveMinimum !== undefined ? `more than ${String(schema.exclusiveMinimum)}` : ''
    const range = [min, schema.maximum !== undefined ? `at most ${String(schema.maximum)}` : ''].filter(Boolean).join(' and ')
    return `is not ${info.kind === 'integer' ? 'an integer' : 'a number'}${range ? ' ' + range : ''}`
  }
  if (schema.pattern) return 'is not an http(s) URL'
  return 'is not a non-empty string'
}

function coerce (info: SettingInfo, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw
  if (info.kind === 'integer' || info.kind === 'number') return raw.trim() === '' ? raw : Number(raw)
  return raw
}

/** Checks named settings, fills defaults; throws SettingsError naming the first bad one. */
export function resolveSettings (given: Partial<Record<keyof Settings, unknown>>): Settings {
  const out: Record<string, unknown> = {}
  for (const info of SETTINGS) {
    const raw = given[info.name]
    if (raw === undefined || raw === '') {
      if (info.default !== undefined) out[info.name] = info.default
      continue
    }
    const value = coerce(info, raw)
    if (!Value.Check(SettingsSchema.properties[info.name], value)) throw new SettingsError(info, raw, ruleOf(info))
    out[info.name] = value
  }
  const unknown = Object.keys(given).filter((k) => !SETTINGS.some((s) => s.name === k) && given[k as keyof Settings] !== undefined)
  if (unknown.length > 0) throw new Error(`Unknown setting ${unknown[0]}; known settings: ${SETTINGS.map((s) => s.name).join(', ')}`)
  if (out.publicBaseUrl) out.publicBaseUrl = (out.publicBaseUrl as string).replace(/\/+$/, '')
  // A missing fixtures folder stops start-up like any bad setting, rather than every later lookup failing.
  if (typeof out.fixturesDir === 'string') {
    const problem = fixturesDirProblem(out.fixturesDir)
    if (problem) throw new SettingsError(SETTINGS.find((s) => s.name === 'fixturesDir')!, given.fixturesDir, problem)
    out.fixturesDir = resolve(out.fixturesDir)
  }
  return out as Settings
}

/** Settings from environment variables (PORT, HOST, ...). */
export function settingsFromEnv (env: NodeJS.ProcessEnv): Settings {
  const given: Record<string, unknown> = {}
  for (const info of SETTINGS) given[info.name] = env[info.env]
  return resolveSettings(given)
}

/** The public base URL: PUBLIC_BASE_URL, else http://HOST:PORT of the bound address. */
export function publicBaseUrlOf (settings: Settings, boundPort: number): string {
  if (settings.publicBaseUrl) return settings.publicBaseUrl
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`
}
