#!/usr/bin/env node
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import closeWithGrace from 'close-with-grace'
import { resolveSettings, SettingsError } from './config/load-settings.js'
import { SETTINGS, type Settings } from './config/settings.js'
import { listenMock } from './server.js'
import { flushLogLines } from './app-options.js'

/** `graph-calling-mock --help`: every setting, its flag, variable and default. */
export function helpText (): string {
  const rows = SETTINGS.map((s) => {
    const values = s.values ? ` (${s.values.join('|')})` : ''
    const def = s.default !== undefined ? ` [default: ${String(s.default)}]` : ''
    const usage = s.kind === 'boolean' ? s.flag : s.flag + ' <value>'
    return `  ${usage.padEnd(38)} ${s.env}: ${s.description}${values}${def}`
  })
  return [
    'graph-calling-mock: a Microsoft Graph calling API emulator (recordResponse, playPrompt, notifications).',
    '',
    'Usage: graph-calling-mock [options]',
    '',
    'Options (each also read from the environment variable named; a flag wins over the variable):',
    ...rows,
    '  -h, --help                             Show this help',
    '  -v, --version                          Show the version',
    ''
  ].join('\n')
}

/** Settings from the environment with flags on top; throws with a message naming the bad flag. */
export function settingsFromArgs (argv: string[], env: NodeJS.ProcessEnv): Settings | 'help' | 'version' {
  const options = Object.fromEntries(SETTINGS.map((s) => [s.flag.slice(2), { type: s.kind === 'boolean' ? 'boolean' as const : 'string' as const }]))
  const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } }, strict: true, allowPositionals: false })
  if (values.help) return 'help'
  if (values.version) return 'version'
  const given: Record<string, unknown> = {}
  const flags = values as Record<string, string | boolean | undefined>
  for (const s of SETTINGS) given[s.name] = flags[s.flag.slice(2)] ?? env[s.env]
  return resolveSettings(given)
}

/** What a bot's configuration needs, on the ready line: where Graph, tokens and the OIDC document are. */
export function readyFields (publicBaseUrl: string, settings: Pick<Settings, 'tenantId'>): Record<string, string> {
  return {
    publicBaseUrl,
    graphBaseUrl: `${publicBaseUrl}/v1.0`,
    tokenEndpoint: `${publicBaseUrl}/${settings.tenantId}/oauth2/v2.0/token`,
    openIdConfiguration: `${publicBaseUrl}/v1/.well-known/OpenIdConfiguration`
  }
}

async function main (): Promise<void> {
  let settings: Settings | 'help' | 'version'
  try {
    settings = settingsFromArgs(process.argv.slice(2), process.env)
  } catch (err) {
    const message = err instanceof SettingsError ? err.message : (err as Error).message
    process.stderr.write(`graph-calling-mock: ${message}\nRun graph-calling-mock --help for the options.\n`)
    process.exit(2)
  }
  if (settings === 'help') { process.stdout.write(helpText()); return }
  if (settings === 'version') {
    const { createRequire } = await import('node:module')
    process.stdout.write(`${(createRequire(import.meta.url)('../package.json') as { version: string }).version}\n`)
    return
  }
  let running
  try {
    running = await listenMock(settings)
  } catch (err) {
    process.stderr.write(`graph-calling-mock: ${err instanceof SettingsError ? '' : 'cannot start: '}${(err as Error).message}\n`)
    process.exit(err instanceof SettingsError ? 2 : 1)
  }
  const { app, url, ca } = running
  // A hard exit skips the app's onClose: the ready file must not outlive the process either way.
  const { readyFile } = settings
  if (readyFile) process.once('exit', () => { rmSync(readyFile, { force: true }) })
  app.log.info({ url, ...readyFields(running.services.baseUrl(), settings), ...(ca ? { caFile: ca.file } : {}), clock: settings.clock, auth: settings.auth }, 'graph-calling-mock is ready')
  // Scripts wait for this line: it leaves now rather than with the next batch of log lines.
  flushLogLines()
  // SIGTERM/SIGINT: stop accepting, drop what is pending (logged by the app's onClose), exit 0 within 5 s.
  closeWithGrace({ delay: 4000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
}

// Not a top-level await: the CLI is bundled as a CommonJS script (scripts/bundle-cli.mjs).
main().catch((err: unknown) => {
  process.stderr.write(`graph-calling-mock: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
