/**
 * Application permissions (app roles) of the calling API that the mock knows and its token endpoint
 * issues, spelled as Microsoft Graph's permissions reference spells them
 * (https://learn.microsoft.com/graph/permissions-reference).
 */
export const CALLING_ROLES = [
  'Calls.AccessMedia.All',
  'Calls.Initiate.All',
  'Calls.InitiateGroupCall.All',
  'Calls.JoinGroupCall.All',
  'Calls.JoinGroupCallAsGuest.All'
] as const

/**
 * The roles each Graph API accepts under AUTH=strict: any one of them is enough (the "least privileged"
 * and "higher privileged" columns of each API's Learn page; the table with its pages is in
 * docs/decisions/auth-and-fixtures.md).
 */
export const PERMISSIONS = {
  /** POST /communications/calls */
  createCall: ['Calls.JoinGroupCallAsGuest.All', 'Calls.JoinGroupCall.All', 'Calls.Initiate.All', 'Calls.InitiateGroupCall.All'],
  /** POST .../answer */
  answer: ['Calls.JoinGroupCall.All', 'Calls.JoinGroupCallAsGuest.All'],
  /** POST .../reject: its page lists no application permission; any calling role is accepted. */
  reject: [...CALLING_ROLES],
  /** GET and DELETE a call, keepAlive, playPrompt, cancelMediaProcessing, GET an operation. */
  callControl: ['Calls.Initiate.All', 'Calls.AccessMedia.All'],
  /** recordResponse, subscribeToTone */
  accessMedia: ['Calls.AccessMedia.All']
} satisfies Record<string, readonly string[]>

export type PermissionSet = keyof typeof PERMISSIONS
