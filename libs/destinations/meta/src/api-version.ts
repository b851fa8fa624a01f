// The Graph API version the connector speaks by default, and where Meta serves it.
import { META_GRAPH_VERSION } from '@conduit/destinations-meta-wire';

/** Graph's production host; the version goes in the path (`/v25.0/act_…`). */
export const META_GRAPH_BASE_URL = 'https://graph.facebook.com';

/** The version a provider calls unless told otherwise (`graphVersion`): Meta's SDK's pin in 2026. */
export const META_DEFAULT_GRAPH_VERSION = META_GRAPH_VERSION;

/** Facebook Login's dialog for a Graph version (reference §1.1). */
export function metaDialogUrl(graphVersion: string): string {
  return `https://www.facebook.com/${graphVersion}/dialog/oauth`;
}
