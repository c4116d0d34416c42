import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newKeyPair, register, signIn, type TestApp } from '../../test-support/app.js';
import { bearer, pngBytes, uploadImage } from '../../test-support/commerce.js';

const MAX_BYTES = 4096;
let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await createTestApp({ config: { imageMaxBytes: MAX_BYTES } });
  const someone = newKeyPair();
  await register(t, someone);
  token = await signIn(t, someone);
});
afterAll(async () => {
  await t?.close();
});

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 7)]);
const WEBP = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([100, 0, 0, 0]),
  Buffer.from('WEBPVP8 '),
  Buffer.alloc(92, 1),
]);

describe('image upload', () => {
  it('stores an image by its SHA-256 and serves it immutably; the same upload twice is one image', async () => {
    const bytes = pngBytes('p', 500);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const first = await uploadImage(t, token, bytes);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ sha256, url: `/v1/blobs/${sha256}`, mime: 'image/png', size: bytes.length });
    const again = await uploadImage(t, token, bytes);
    expect(again.json()).toEqual(first.json());

    const path = join(t.ctx.config.dataDir, 'blobs', sha256);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(readdirSync(join(t.ctx.config.dataDir, 'blobs')).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const served = await t.app.inject({ method: 'GET', url: `/v1/blobs/${sha256}` });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(served.rawPayload.equals(bytes)).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: `/v1/blobs/${'0'.repeat(64)}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/v1/blobs/not-a-hash' })).statusCode).toBe(400);
  });

  it('accepts JPEG and WebP by their magic bytes', async () => {
    expect((await uploadImage(t, token, JPEG, 'image/jpeg')).json()).toMatchObject({ mime: 'image/jpeg' });
    expect((await uploadImage(t, token, WEBP, 'image/webp')).json()).toMatchObject({ mime: 'image/webp' });
  });

  it('refuses an image over the size limit with 413', async () => {
    const response = await uploadImage(t, token, pngBytes('x', MAX_BYTES));
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('image_too_large');
    expect((await uploadImage(t, token, pngBytes('y', MAX_BYTES - 8))).statusCode).toBe(201);
  });

  it('refuses bytes that do not match the declared type with 415', async () => {
    const text = await uploadImage(t, token, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/png');
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('not_an_image');
    const jpegAsPng = await uploadImage(t, token, JPEG, 'image/png');
    expect(jpegAsPng.json().error.code).toBe('not_an_image');
    const empty = await uploadImage(t, token, Buffer.alloc(0), 'image/webp');
    expect(empty.statusCode).toBe(415);
    const svg = await uploadImage(t, token, Buffer.from('<svg/>'), 'image/svg+xml');
    expect(svg.statusCode).toBe(415);
    expect(svg.json().error.code).toBe('unsupported_media_type');
    const json = await t.app.inject({
      method: 'POST',
      url: '/v1/catalog/images',
      headers: bearer(token),
      payload: { image: 'base64' },
    });
    expect(json.statusCode).toBe(415);
  });

  it('needs a session', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/catalog/images',
      headers: { 'content-type': 'image/png' },
      payload: pngBytes('z'),
    });
    expect(response.statusCode).toBe(401);
    expect(existsSync(join(t.ctx.config.dataDir, 'blobs'))).toBe(true);
  });
});
