import type { Context } from 'koa';
import { VvError } from '@valueverse/plugin-sdk';

/**
 * Reads a request body as bytes, refusing more than `limit` bytes with 413 VV_PAYLOAD_TOO_LARGE: at once when
 * Content-Length says so, else as soon as the stream passes the limit (the rest is not buffered).
 */
export async function readRawBody(ctx: Context, limit: number, limitText: string): Promise<Buffer> {
  const tooLarge = () => new VvError('VV_PAYLOAD_TOO_LARGE', { params: { limit: limitText } });
  const declared = Number(ctx.get('content-length') || NaN);
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      // Stop reading; the connection closes after the answer rather than draining megabytes nobody wants.
      ctx.set('Connection', 'close');
      ctx.req.unpipe();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}
