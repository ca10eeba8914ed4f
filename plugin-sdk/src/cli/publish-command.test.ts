import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPair } from '../package/generate-signing-key-pair';
import { packPluginDirectory } from '../package/pack-plugin-directory';
import { signPackage } from '../package/sign-package';
import type { CliIo } from './cli-command';
import { runVvPlugin } from './vv-plugin';

const FIXTURE = join(__dirname, '..', 'package', '__fixtures__', 'hello-plugin');
const TOKEN = 'vvpt_test_token_1234';

let work: string;
let server: Server;
let registry: string;
let signed: Buffer;
const received: { method?: string; url?: string; type?: string; auth?: string; body: Buffer }[] = [];
let answer: (req: IncomingMessage, res: ServerResponse) => void;

beforeAll(async () => {
  const keys = generateSigningKeyPair();
  signed = await signPackage(await packPluginDirectory(FIXTURE), keys.privateKeyPem);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, type: req.headers['content-type'], auth: req.headers.authorization, body: Buffer.concat(chunks) });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/marketplace/`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  received.length = 0;
  work = await mkdtemp(join(tmpdir(), 'vv-publish-'));
  await writeFile(join(work, 'hello.vvpkg'), signed);
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function publish(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { cwd: work, env: {}, out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await runVvPlugin(['publish', ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function json(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(JSON.stringify(body));
}

describe('vv-plugin publish', () => {
  it('POSTs the package bytes to <registry>/packages with the bearer token and prints the answer', async () => {
    answer = (req, res) => {
      const ok = req.headers.authorization === `Bearer ${TOKEN}` && req.headers['content-type'] === 'application/octet-stream';
      if (ok) json(res, 201, { id: 'hello-fixture', version: '1.2.3' });
      else json(res, 401, { code: 'VV_UNAUTHENTICATED', title: 'Authentication required', detail: 'bad token' }, 'application/problem+json');
    };
    const run = await publish('hello.vvpkg', '--registry', registry, '--token', TOKEN);
    expect(run).toMatchObject({ code: 0, out: expect.stringContaining('published hello-fixture@1.2.3') });
    expect(run.out).toContain('"version":"1.2.3"');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/api/v1/marketplace/packages', type: 'application/octet-stream', auth: `Bearer ${TOKEN}` });
    expect(received[0].body.equals(signed)).toBe(true);
  });

  it('prints a problem+json refusal with its code and field problems, exits 1, and never prints the token', async () => {
    answer = (_req, res) =>
      json(
        res,
        409,
        { code: 'VV_PACKAGE_VERSION_EXISTS', title: 'Version exists', detail: 'hello-fixture@1.2.3 is already published', errors: [{ pointer: '/version', message: 'taken' }] },
        'application/problem+json',
      );
    const run = await publish('hello.vvpkg', '--registry', registry, '--token', TOKEN);
    expect(run.code).toBe(1);
    expect(run.err).toContain('error VV_PACKAGE_VERSION_EXISTS: hello-fixture@1.2.3 is already published (HTTP 409)');
    expect(run.err).toContain('/version taken');
    expect(`${run.out}${run.err}`).not.toContain(TOKEN);
  });

  it('reports an answer that is not problem+json by its status', async () => {
    answer = (_req, res) => {
      res.writeHead(502);
      res.end('bad gateway');
    };
    expect(await publish('hello.vvpkg', '--registry', registry, '--token', TOKEN)).toMatchObject({ code: 1, err: expect.stringContaining('HTTP 502: bad gateway') });
  });

  it('takes the registry from VV_MARKETPLACE_URL', async () => {
    answer = (_req, res) => json(res, 201, {});
    const io: CliIo = { cwd: work, env: { VV_MARKETPLACE_URL: registry }, out: () => undefined, err: () => undefined };
    expect(await runVvPlugin(['publish', 'hello.vvpkg', '--token', TOKEN], io)).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('refuses an unsigned package without sending it', async () => {
    await writeFile(join(work, 'unsigned.vvpkg'), await packPluginDirectory(FIXTURE));
    expect(await publish('unsigned.vvpkg', '--registry', registry, '--token', TOKEN)).toMatchObject({ code: 1, err: expect.stringContaining('VV_SIGNATURE_INVALID') });
    expect(received).toHaveLength(0);
  });

  it('needs --token and a registry (exit 2)', async () => {
    expect(await publish('hello.vvpkg', '--registry', registry)).toMatchObject({ code: 2, err: expect.stringContaining('--token') });
    expect(await publish('hello.vvpkg', '--token', TOKEN)).toMatchObject({ code: 2, err: expect.stringContaining('--registry') });
  });
});
