import type { GraphCall, GraphRoute } from './graph-call';

/** A route matched against a path: the route (for the method asked, if it has one) and its ids. */
export interface RouteMatch {
  /** The routes with this path, whatever their method. */
  routes: GraphRoute[];
  template: string;
  ids: GraphCall['ids'];
}

const ID = /^\d{1,20}$/;
const AD_ACCOUNT = /^act_(\d{1,20})$/;

/**
 * Matches `/act_1/customaudiences` to `/act_{ad_account_id}/customaudiences`: a literal segment
 * matches itself, `act_{ad_account_id}` an `act_` id, `{audience_id}` a numeric id.
 */
export function matchRoute(
  routes: readonly GraphRoute[],
  segments: readonly string[],
): RouteMatch | undefined {
  for (const route of routes) {
    const parts = route.template.split('/').slice(1);
    if (parts.length !== segments.length) continue;
    const ids: GraphCall['ids'] = {};
    const matches = parts.every((part, index) => {
      const segment = segments[index];
      if (part === 'act_{ad_account_id}') {
        const match = AD_ACCOUNT.exec(segment);
        if (match) ids.ad_account_id = match[1];
        return match !== null;
      }
      if (part === '{audience_id}') {
        if (ID.test(segment)) ids.audience_id = segment;
        return ID.test(segment);
      }
      return part === segment;
    });
    if (matches)
      return {
        routes: routes.filter((candidate) => candidate.template === route.template),
        template: route.template,
        ids,
      };
  }
  return undefined;
}

/** `v25.0` → 25 (versions compare by their major number). */
export function versionNumber(version: string): number {
  return Number(/^v(\d{1,3})\.0$/.exec(version)?.[1] ?? Number.NaN);
}
