import { Type, type Static } from 'typebox'

/** Graph's error body (https://learn.microsoft.com/graph/errors), with the innerError keys real responses carry. */
export const GraphErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    innerError: Type.Object({
      date: Type.String(),
      'request-id': Type.String(),
      'client-request-id': Type.String()
    })
  })
}, { $id: 'GraphError', description: 'A Microsoft Graph error' })

export type GraphErrorBody = Static<typeof GraphErrorSchema>
