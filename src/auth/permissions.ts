/** Application permissions (app roles) of the calling API that the mock knows and issues. */
export const CALLING_ROLES = [
  'Calls.AccessMedia.All',
  'Calls.Initiate.All',
  'Calls.InitiateGroupCalls.All',
  'Calls.JoinGroupCalls.All',
  'Calls.JoinGroupCallsAsGuest.All'
] as const

/** Any one of these is enough (Graph's "least to most privileged" lists). */
export const PERMISSIONS = {
  createCall: ['Calls.Initiate.All', 'Calls.InitiateGroupCalls.All', 'Calls.JoinGroupCalls.All', 'Calls.JoinGroupCallsAsGuest.All'],
  accessMedia: ['Calls.AccessMedia.All'],
  playPrompt: ['Calls.Initiate.All', 'Calls.AccessMedia.All'],
  anyCalling: [...CALLING_ROLES]
} satisfies Record<string, readonly string[]>

export type PermissionSet = keyof typeof PERMISSIONS
