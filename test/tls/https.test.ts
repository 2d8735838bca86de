import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { get } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { startMock, type StartedMock } from '../../src/index.js'
import { createTlsMaterial } from '../../src/tls/certificates.js'
import { startBot } from '../helper.js'

async function httpsMock (t: TestContext, options: Parameters<typeof startMock>[0] = {}): Promise<StartedMock> {
  const dir = mkdtempSync(join(tmpdir(), 'mock-ca-'))
  const mock = await startMock({ clock: 'manual', https: true, caFile: join(dir, 'ca.pem'), ...options })
  t.after(async () => { await mock.close(); rmSync(dir, { recursive: true, force: true }) })
  return mock
}

/** GET over node:https trusting only `ca` (or Node's default roots when absent). */
async function getStatus (url: string, ca?: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    get(url, ca ? { ca } : {}, (res) => { res.resume(); resolve(res.statusCode!) }).on('error', reject)
  })
}

test('with HTTPS, a client that trusts only the generated CA gets through; one that does not is refused', async (t) => {
  const mock = await httpsMock(t, { publicBaseUrl: 'https://mock:4000' })
  assert.match(mock.url, /^https:\/\/127\.0\.0\.1:\d+$/)
  assert.ok(mock.ca)
  assert.equal(readFileSync(mock.ca.file, 'utf8'), mock.ca.pem, 'the CA file holds the CA')
  assert.equal(await getStatus(`${mock.url}/_mock/health`, mock.ca.pem), 200)
  assert.equal(await getStatus(`https://localhost:${mock.port}/_mock/health`, mock.ca.pem), 200, 'localhost is in the certificate too')
  await assert.rejects(getStatus(`${mock.url}/_mock/health`), (err: NodeJS.ErrnoException) => {
    assert.match(String(err.code), /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/)
    return true
  })
  // Another run's CA does not vouch for this one.
  const other = await createTlsMaterial(['localhost'])
  await assert.rejects(getStatus(`${mock.url}/_mock/health`, other.caCert), /certificate/)

  // The certificate names loopback, HOST and PUBLIC_BASE_URL's host, is a server certificate, and the CA signed it.
  const served = await new Promise<X509Certificate>((resolve, reject) => {
    get(`${mock.url}/_mock/health`, { ca: mock.ca!.pem }, (res) => {
      res.resume()
      const { raw } = (res.socket as import('node:tls').TLSSocket).getPeerCertificate()
      resolve(new X509Certificate(raw))
    }).on('error', reject)
  })
  const ca = new X509Certificate(mock.ca!.pem)
  assert.ok(ca.ca, 'the CA is a CA')
  assert.equal(served.ca, false)
  assert.ok(served.verify(ca.publicKey), 'signed by the CA')
  assert.ok(served.checkHost('localhost'))
  assert.ok(served.checkHost('mock'), 'PUBLIC_BASE_URL\'s host')
  assert.ok(served.checkIP('127.0.0.1'))
  assert.ok(served.checkIP('::1'))
  assert.deepEqual(served.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth')
})

test('under HTTPS the base URL defaults to https, the control client trusts the CA, and a bot still hears its calls', async (t) => {
  const bot = await startBot(t)
  const mock = await httpsMock(t, { callbackUrl: bot.url })
  assert.equal(mock.services.baseUrl(), mock.url)
  const { id } = await mock.control.simulateIncomingCall()
  const created = await mock.control.waitForNotification({ callId: id, changeType: 'created' })
  assert.equal(created.outcome, 'delivered')
  assert.equal((created.body as any).value[0].resourceUrl, `/communications/calls/${id}`)
  // The mock trusts its own CA when it posts, so its callback sink works over HTTPS as over HTTP.
  const sunk = await mock.control.simulateIncomingCall({ callbackUri: `${mock.url}/_mock/callback-sink` })
  await mock.control.advanceClock(0)
  const toSink = await mock.control.waitForNotification({ callId: sunk.id, changeType: 'created' })
  assert.deepEqual([toSink.outcome, toSink.error], ['delivered', null])
})
