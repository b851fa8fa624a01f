/**
 * Calls `beat` every `intervalMs` until the returned function is called: how a long job tells others
 * it is alive. Beats never overlap (one still in flight skips the next), a failed beat goes to
 * `onError` and never throws, and the timer does not keep the process alive.
 */
export function startHeartbeat(
  intervalMs: number,
  beat: () => Promise<unknown>,
  onError: (error: unknown) => void,
): () => void {
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = true;
    beat()
      .catch(onError)
      .finally(() => (inFlight = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
