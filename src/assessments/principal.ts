// Who is asking, as the assessment code needs to know it: the authenticated principal.
export type { Principal as Actor } from '../plugins/auth.js'
