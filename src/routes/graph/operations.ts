import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { graphErrors } from '../../errors/graph-error.js'
import { operationResource } from '../../graph/representations.js'
import { OperationIdParams } from '../../schemas/common.js'
import { OPERATION_PATH, versionOf } from './paths.js'

/** GET /communications/calls/{id}/operations/{opId}: the operation as it is now. */
export const operationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { lifecycle } = app.mock.engine
  app.get(OPERATION_PATH, { schema: { params: OperationIdParams }, config: { permissions: 'callControl' } }, async (request) => {
    const call = lifecycle.activeCall(request.params.callId)
    const id = request.params.operationId.toLowerCase()
    const op = call.operations.find((o) => o.id === id)
    if (!op) throw graphErrors.itemNotFound(`Operation '${request.params.operationId}' was not found on call ${call.id}.`)
    return operationResource(op, versionOf(request))
  })
}
