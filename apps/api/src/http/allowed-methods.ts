import { METHODS } from 'node:http';

/** What this reads of an Express 5 router layer: a route's methods, and whether its path matches. */
interface RouterLayer {
  route?: { methods?: Record<string, boolean | undefined> };
  match(path: string): unknown;
}

/**
 * The methods the app's routes answer on `path`, upper case and sorted (HEAD wherever GET is, as Express
 * answers it): what a 405's `Allow` header lists. Empty when no route matches the path (a 404).
 *
 * A route registered for every method (`app.all`: Nest's middleware, such as the request logger, is
 * mounted that way on `/{*path}`) says nothing about the path: it passes every request on, and an
 * `@All` route would answer every method, never reaching the not-found handler.
 */
export function allowedMethods(expressApp: unknown, path: string): string[] {
  const stack = (expressApp as { router?: { stack?: RouterLayer[] } }).router?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    const routeMethods = layer.route?.methods;
    if (!routeMethods || routeMethods['_all']) continue;
    if (METHODS.every((method) => routeMethods[method.toLowerCase()])) continue;
    if (!layer.match(path)) continue;
    for (const [method, handled] of Object.entries(routeMethods)) {
      if (handled) methods.add(method.toUpperCase());
    }
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
