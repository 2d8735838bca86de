import { Type, type Static } from 'typebox'

/**
 * Every setting of the mock, in one table: the environment variable, the CLI flag, the in-process option
 * and the README all derive from it.
 */
export const SettingsSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 4000, env: 'PORT', description: 'TCP port to listen on (0 = any free port)' }),
  host: Type.String({ minLength: 1, default: '127.0.0.1', env: 'HOST', description: 'Interface to listen on (the Docker image sets 0.0.0.0)' }),
  publicBaseUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', env: 'PUBLIC_BASE_URL', description: 'Base of Location headers, recordingLocation, token and OIDC URLs (default http://HOST:PORT, or https:// with HTTPS)' })),
  callbackUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', env: 'CALLBACK_URL', description: 'Default bot callback for simulated incoming calls that name none' })),
  clock: Type.Union([Type.Literal('real'), Type.Literal('manual')], { default: 'real', env: 'CLOCK', description: '`real`, or `manual` (time moves only through POST /_mock/clock/advance)' }),
  timeScale: Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 1, env: 'TIME_SCALE', description: 'Real clock only: a virtual second lasts TIME_SCALE real seconds (0.01 = 100x faster)' }),
  auth: Type.Union([Type.Literal('none'), Type.Literal('bearer'), Type.Literal('strict')], { default: 'bearer', env: 'AUTH', description: '`none`, `bearer` (a Bearer token must be present) or `strict` (a JWT from this mock\'s token endpoint, for TENANT_ID, with a role the API needs)' }),
  botAppId: Type.String({ minLength: 1, default: '6f3c6f0e-8a4b-4d2e-9c1a-0b7d5e2f4a10', env: 'BOT_APP_ID', description: '`aud` of notification tokens (your bot\'s app id)' }),
  tenantId: Type.String({ minLength: 1, default: 'b2a7c9d1-3e4f-4a5b-8c6d-7e8f9a0b1c2d', env: 'TENANT_ID', description: 'Tenant of notification tokens and issued tokens' }),
  recordingRetentionSeconds: Type.Integer({ minimum: 0, default: 300, env: 'RECORDING_RETENTION_SECONDS', description: 'Virtual seconds a recording stays downloadable after its call ends' }),
  maxEndedCalls: Type.Integer({ minimum: 1, default: 10000, env: 'MAX_ENDED_CALLS', description: 'Ended calls kept for inspection with their notifications and recordings; beyond it the oldest ended call is forgotten' }),
  maxLiveCalls: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 20000, env: 'MAX_LIVE_CALLS', description: 'Calls up at once (incoming and outgoing); another is refused with a 400 naming the limit' }),
  logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { default: 'info', env: 'LOG_LEVEL', description: 'pino level; human-readable logs when stdout is a TTY, otherwise JSON lines written in batches (at most 200 ms late; all of them at exit)' }),
  signingKeyFile: Type.Optional(Type.String({ minLength: 1, env: 'SIGNING_KEY_FILE', description: 'PEM (PKCS#8) RSA private key that signs tokens; default: a key generated at start-up' })),
  fixturesDir: Type.Optional(Type.String({ minLength: 1, env: 'FIXTURES_DIR', description: 'Folder with audio/ and/or scenarios/, layered over the package\'s fixtures (its files win; the shipped ones stay available); checked at start-up' })),
  readyFile: Type.Optional(Type.String({ minLength: 1, env: 'READY_FILE', description: 'File written with the base URL once the mock answers, and removed when it stops' })),
  https: Type.Boolean({ default: false, env: 'HTTPS', description: 'Serve HTTPS with a certificate made at start-up for localhost, 127.0.0.1, ::1, HOST and the host of PUBLIC_BASE_URL, signed by a CA written to CA_FILE' }),
  caFile: Type.Optional(Type.String({ minLength: 1, env: 'CA_FILE', description: 'With HTTPS: where the CA certificate (PEM) is written, for NODE_EXTRA_CA_CERTS (default graph-calling-mock-ca.pem in the OS temp folder)' }))
}, { additionalProperties: false })

export type Settings = Static<typeof SettingsSchema>
export type SettingName = keyof Settings

export interface SettingInfo {
  name: SettingName
  env: string
  flag: string
  /** A boolean is a flag without a value (`--https`); its variable takes 1/0 or true/false. */
  kind: 'integer' | 'number' | 'string' | 'enum' | 'boolean'
  values?: string[]
  default?: unknown
  description: string
}

/** The settings table, derived from the schema, in declaration order. */
export const SETTINGS: SettingInfo[] = Object.entries(SettingsSchema.properties).map(([name, schema]) => {
  const s = schema as unknown as Record<string, unknown> & { anyOf?: Array<{ const: string }>, type?: string }
  const values = s.anyOf?.map((v) => v.const)
  return {
    name: name as SettingName,
    env: s.env as string,
    flag: '--' + name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()),
    kind: values ? 'enum' : (s.type as 'integer' | 'number' | 'string' | 'boolean'),
    values,
    default: s.default,
    description: s.description as string
  }
})
