/** Who acts: alerting passes the analyst it authenticated; a direct call with an admin key is "admin-key". */
export const ACTOR_HEADER = 'x-vigil-actor';
export const ACTOR_PATTERN = /^[\w.@-]{1,64}$/;
