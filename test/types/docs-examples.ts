/**
 * Every use of the client shown in README.md and docs/control-api.md, checked by `npm run typecheck`
 * (tsconfig.json includes test/): what the docs tell a user to write must compile. Never run.
 * The README's and control-api.md's opening examples are copied verbatim; the table rows and sentences
 * are one call each.
 */
import { createControlClient, startMock, type DeliveryAttempt } from '../../src/index.js'

export async function readmeInProcessExample (): Promise<void> {
  const mock = await startMock({ clock: 'manual' })
  await mock.control.setDefaultScript({ responses: [{ actions: [{ silence: 800 }, { speech: 2500 }, { tone: '#' }] }] })
  const { id } = await mock.control.simulateIncomingCall({ callbackUri: 'http://127.0.0.1:3978/api/calls' })
  await mock.control.advanceClock(10_000)
  const done = await mock.control.waitForNotification({ callId: id, changeType: 'deleted' }, { timeoutMs: 5000 })
  const requests = await mock.control.requests({ callId: id })
  await mock.close()
  console.log(done.body, requests)
}

export async function controlApiExample (): Promise<void> {
  const mock = await startMock({ clock: 'manual', callbackUrl: 'http://127.0.0.1:3978/api/calls' })
  const { id } = await mock.control.simulateIncomingCall({ script: { responses: [{ actions: [{ speech: 1500 }, { tone: '#' }] }] } })
  await mock.control.advanceClock(10_000)
  const done = await mock.control.waitForNotification({ callId: id, changeType: 'deleted' })
  const sent = await mock.control.requests({ callId: id })
  await mock.close()
  console.log(done, sent)
}

/** The routes table's client column and the sentences around it (docs/control-api.md). */
export async function controlApiTable (id: string): Promise<void> {
  const control = createControlClient('http://127.0.0.1:4000')
  await control.health()
  await control.reset()
  await control.getClock()
  await control.advanceClock(1000)
  // `script`: inline, a scenario name, or `{ scenario: name }`.
  await control.simulateIncomingCall({ callbackUri: 'http://127.0.0.1:3978/api/calls', tenantId: 't', source: {} })
  await control.simulateIncomingCall({ script: 'silent-caller' })
  await control.simulateIncomingCall({ script: { scenario: 'silent-caller' } })
  await control.listCalls()
  await control.getCall(id)
  await control.setCallScript(id, { responses: [{ actions: [{ tone: '#' }] }] })
  await control.setCallScript(id, 'silent-caller')
  await control.setCallScript(id, { scenario: 'silent-caller' })
  await control.setDefaultScript({ scenario: 'silent-caller' })
  await control.getDefaultScript()
  await control.clearDefaultScript()
  await control.pressTones(id, '1#')
  await control.hangUp(id)
  await control.notifications({ callId: id, outcome: 'delivered', changeType: 'deleted' })
  await control.waitForNotification({ callId: id, changeType: 'deleted' }, { timeoutMs: 5000 })
  const first = await control.waitForNotification((attempt: DeliveryAttempt) => attempt.httpStatus === 500, { filter: { callId: id }, timeoutMs: 1000 })
  await control.waitForNotification({ callId: id }, { afterId: first.id })
  await control.requests({ callId: id, method: 'POST', path: '**/recordResponse' })
  await control.clearRequests()
  await control.addFault({ method: 'POST', path: '/v1.0/communications/calls/*/recordResponse', times: 2, status: 429, retryAfterSeconds: 3, message: 'Too many requests for this call.' })
  await control.listFaults()
  await control.clearFaults()
  await control.token()
  await control.token('tenant', { clientId: 'c', clientSecret: 's', scope: 'https://graph.microsoft.com/.default', roles: ['Calls.AccessMedia.All'] })
}
