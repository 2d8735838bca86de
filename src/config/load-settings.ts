import { resolve } from 'node:path'
import { Value } from 'typebox/value'
import { fixturesDirProblem } from './fixtures-dir.js'
import { SETTINGS, SettingsSchema, type SettingInfo, type Settings } from './settings.js'

/**
 * How a message names a setting: by the way the caller gave it. The CLI reads a flag or a variable
 * (`TIME_SCALE (--time-scale)`), startMock an option (`timeScale`).
 */
export type SettingNaming = 'setting' | 'option'

function nameOf (setting: SettingInfo, naming: SettingNaming): string {
  return naming === 'option' ? `option ${setting.name}` : `setting ${setting.env} (${setting.flag})`
}

/** A setting that cannot be used; start-up stops with its message. */
export class SettingsError extends Error {
  constructor (readonly setting: SettingInfo, readonly value: unknown, readonly rule: string, naming: SettingNaming = 'setting') {
    super(`Invalid ${nameOf(setting, naming)}: ${JSON.stringify(value)} ${rule}`)
    this.name = 'SettingsError'
  }

  /** The same error, naming the setting the way this caller knows it. */
  namedAs (naming: SettingNaming): SettingsError {
    return new SettingsError(this.setting, this.value, this.rule, naming)
  }
}

/** The table entry of one setting, for errors found after the settings were read (a file, an address). */
export function settingInfo (name: keyof Settings): SettingInfo {
  return SETTINGS.find((s) => s.name === name)!
}

function ruleOf (info: SettingInfo): string {
  const schema = SettingsSchema.properties[info.name] as unknown as Record<string, unknown>
  if (info.kind === 'enum') return `is not one of ${info.values!.join(', ')}`
  if (info.kind === 'boolean') return 'is not one of true, false, 1, 0'
  if (info.kind === 'integer' || info.kind === 'number') {
    const min = schema.minimum !== undefined ? `at least ${String(schema.minimum)}` : schema.exclusiveMinimum !== undefined ? `more than ${String(schema.exclusiveMinimum)}` : ''
    const range = [min, schema.maximum !== undefined ? `at most ${String(schema.maximum)}` : ''].filter(Boolean).join(' and ')
    return `is not ${info.kind === 'integer' ? 'an integer' : 'a number'}${range ? ' ' + range : ''}`
  }
  if (schema.pattern) return 'is not an http(s) URL'
  return 'is not a non-empty string'
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, 1: true, false: false, 0: false }

function coerce (info: SettingInfo, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw
  if (info.kind === 'integer' || info.kind === 'number') return raw.trim() === '' ? raw : Number(raw)
  if (info.kind === 'boolean') return BOOLEAN_WORDS[raw.trim().toLowerCase()] ?? raw
  return raw
}

/**
 * Checks named settings, fills defaults; throws SettingsError naming the first bad one, as a variable and
 * flag or (`naming: 'option'`) as the in-process option.
 */
export function resolveSettings (given: Partial<Record<keyof Settings, unknown>>, naming: SettingNaming = 'setting'): Settings {
  const out: Record<string, unknown> = {}
  for (const info of SETTINGS) {
    const raw = given[info.name]
    if (raw === undefined || raw === '') {
      if (info.default !== undefined) out[info.name] = info.default
      continue
    }
    const value = coerce(info, raw)
    if (!Value.Check(SettingsSchema.properties[info.name], value)) throw new SettingsError(info, raw, ruleOf(info), naming)
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

/** Where this machine reaches the mock: HOST, or loopback when it listens on every interface. */
export function localUrlOf (settings: Pick<Settings, 'host' | 'https'>, boundPort: number): string {
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host
  return `${settings.https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`
}

/** The public base URL: PUBLIC_BASE_URL, else http(s)://HOST:PORT of the bound address. */
export function publicBaseUrlOf (settings: Settings, boundPort: number): string {
  return settings.publicBaseUrl ?? localUrlOf(settings, boundPort)
}
