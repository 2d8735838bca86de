import { mkdir, rename, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { SettingsError, settingInfo } from '../config/load-settings.js'
import type { Settings } from '../config/settings.js'
import { createTlsMaterial, type TlsMaterial } from './certificates.js'

/** CA_FILE's default: one file in the OS temp folder, so NODE_EXTRA_CA_CERTS can name it before start. */
export const DEFAULT_CA_FILE = join(tmpdir(), 'graph-calling-mock-ca.pem')

export interface ServerTls extends TlsMaterial {
  /** Absolute path of the CA certificate written for clients. */
  caFile: string
}

/** Every name a client may use for this mock: loopback, HOST, PUBLIC_BASE_URL's host, the machine's name. */
export function certificateHosts (settings: Pick<Settings, 'host' | 'publicBaseUrl'>): string[] {
  const hosts = ['localhost', '127.0.0.1', '::1']
  if (settings.host !== '0.0.0.0' && settings.host !== '::') hosts.push(settings.host)
  if (settings.publicBaseUrl) hosts.push(new URL(settings.publicBaseUrl).hostname)
  // A container is reached by its name on a compose network, and the name is its hostname by default.
  hosts.push(hostname())
  return hosts
}

/** Makes the CA and server certificate for HTTPS and writes the CA (replacing the file at once). */
export async function prepareServerTls (settings: Settings): Promise<ServerTls> {
  const material = await createTlsMaterial(certificateHosts(settings))
  const caFile = resolve(settings.caFile ?? DEFAULT_CA_FILE)
  // Written beside and renamed: a bot starting now reads the old CA or the new one, never half a file.
  const partial = `${caFile}.${process.pid}.partial`
  try {
    await mkdir(dirname(caFile), { recursive: true })
    await writeFile(partial, material.caCert)
    await rename(partial, caFile)
  } catch (err) {
    throw new SettingsError(settingInfo('caFile'), caFile, `cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  return { ...material, caFile }
}
