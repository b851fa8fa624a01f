/**
 * The Graph API version a Meta client calls and the emulator serves by default: v25.0, what Meta's
 * own SDK and RudderStack pin in 2026 (reference §2.1). Clients keep it configurable: Marketing API
 * versions expire about a year after release.
 */
export const META_GRAPH_VERSION = 'v25.0';

/** A Graph version path segment (`v25.0`). */
export const GRAPH_VERSION_PATTERN = /^v(\d{1,3})\.0$/;
