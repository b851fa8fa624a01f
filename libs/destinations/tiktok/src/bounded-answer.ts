/**
 * The most of an answer the client reads: 1 MB. TikTok's largest answers (a list/ page of 100
 * audiences, a get/ with 100 history entries) are tens of KB, so an answer beyond this is not one
 * TikTok sends for any documented call: a gateway, a wrong base URL or a broken proxy. Reading it
 * whole would let one answer take a worker's memory (a 20 MB body, or an endless stream).
 */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** The answer went past `MAX_ANSWER_BYTES`: reading stopped there and the connection was closed. */
export class AnswerTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The answer is larger than ${limitBytes} bytes.`);
    this.name = 'AnswerTooLargeError';
  }
}

/** The connection broke after the headers, in the middle of the body. */
export class AnswerCutError extends Error {
  constructor(cause: unknown) {
    super('The answer was cut off mid-body.', { cause });
    this.name = 'AnswerCutError';
  }
}

/**
 * Reads a body up to `limitBytes` (UTF-8). A declared `Content-Length` beyond the limit is refused
 * before a byte is read; a body that grows past it stops there (leaving the loop closes the stream).
 * A timeout or abort stays what it is; any other failure while reading is a cut answer.
 */
export async function readBoundedAnswer(
  body: AsyncIterable<Uint8Array | string> | null | undefined,
  declaredLength: string | null | undefined,
  limitBytes: number = MAX_ANSWER_BYTES,
): Promise<string> {
  const declared = declaredLength ? Number(declaredLength) : NaN;
  if (Number.isFinite(declared) && declared > limitBytes) {
    await closeQuietly(body);
    throw new AnswerTooLargeError(limitBytes);
  }
  if (!body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
      size += bytes.length;
      if (size > limitBytes) throw new AnswerTooLargeError(limitBytes);
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof AnswerTooLargeError) throw error;
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') throw error;
    throw new AnswerCutError(error);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function closeQuietly(body: AsyncIterable<unknown> | null | undefined): Promise<void> {
  if (!body) return;
  const cancel = (body as { cancel?: () => Promise<void> }).cancel;
  const destroy = (body as { destroy?: () => void }).destroy;
  try {
    if (typeof cancel === 'function') await cancel.call(body);
    else if (typeof destroy === 'function') destroy.call(body);
  } catch {
    // Closing is a courtesy: the answer is refused either way.
  }
}
