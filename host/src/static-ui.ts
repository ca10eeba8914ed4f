import { createReadStream, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

/** Where `npm run build` puts the admin console: admin-ui/dist/admin-ui/browser (from host/src or host/dist alike). */
export const DEFAULT_ADMIN_UI_DIR = resolve(__dirname, '../../admin-ui/dist/admin-ui/browser');

/** Paths the kernel answers; everything else that is a GET is the single-page app. */
const KERNEL_PREFIXES = ['/api/', '/health/', '/.well-known/'];
const KERNEL_PATHS = new Set(['/api', '/health', '/metrics', '/.well-known']);

/** Plugin custom-element bundles: /plugin-assets/<plugin id>/<its manifest `ui.elements`, and files beside it>. */
const PLUGIN_ASSETS = '/plugin-assets/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

// Angular's output hashing names files `<name>-<8+ base32 chars>.<ext>` (main-VWHNPC4Z.js, media/roboto-…-LOX3CHMS.woff2):
// their content never changes under that name, so browsers may keep them for a year without asking again.
const HASHED = /-[A-Z0-9]{8,}\.(?:js|mjs|css|woff2?|svg|png|webp|ico)$/;

// The console loads scripts only from this origin (its own chunks and plugin bundles under /plugin-assets/), and
// calls only this origin's API. Angular injects component styles as <style> elements, hence 'unsafe-inline' for
// styles only.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

interface PluginAssetSource {
  readonly id: string;
  readonly dir?: string;
  readonly manifest: { readonly ui?: { readonly elements?: string } };
}

export interface StaticUiOptions {
  /** The built console (index.html and its assets); default `DEFAULT_ADMIN_UI_DIR`. */
  readonly root?: string;
  /** Installed plugins, whose `ui.elements` bundles are served under /plugin-assets/<id>/. */
  readonly plugins?: () => readonly PluginAssetSource[];
  readonly logger?: { warn(details: object, message: string): void };
}

export interface StaticUi {
  readonly root: string;
  /** False when the console is not built: pages answer 503 with how to build it. */
  readonly built: boolean;
}

function fileStats(path: string): Stats | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

/** `path` inside `root`, or undefined when it would escape it (`..`, encoded or not). */
function inside(root: string, path: string): string | undefined {
  const full = resolve(root, `.${path}`);
  return full === root || full.startsWith(root + sep) ? full : undefined;
}

function isKernelPath(path: string): boolean {
  return KERNEL_PATHS.has(path) || KERNEL_PREFIXES.some((prefix) => path.startsWith(prefix));
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, stats: Stats, cacheControl: string, html = false): void {
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  res.setHeader('Content-Type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('ETag', etag);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (html) {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
  }
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Length', stats.size);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(text);
}

/**
 * Serves the built admin console from the host's HTTP server, in front of the kernel: files from `root`, hashed
 * assets cached as immutable, `index.html` for every other GET that is not a kernel path (the SPA fallback, so deep
 * links work), and plugin custom-element bundles. Everything else goes to the kernel's listener unchanged.
 *
 * It wraps the server's existing `request` listeners instead of being Koa middleware, so the kernel stays unaware
 * of the console.
 */
export function attachStaticUi(server: Server, options: StaticUiOptions = {}): StaticUi {
  const root = resolve(options.root ?? DEFAULT_ADMIN_UI_DIR);
  const index = resolve(root, 'index.html');
  const built = fileStats(index) !== undefined;
  if (!built) options.logger?.warn({ root }, 'the admin console is not built (run `npm run build`); only the API is served');

  const pluginAsset = (path: string): { file: string; stats: Stats } | undefined => {
    const [id, ...rest] = path.slice(PLUGIN_ASSETS.length).split('/');
    const plugin = options.plugins?.().find((p) => p.id === id);
    const elements = plugin?.manifest.ui?.elements;
    if (!plugin?.dir || !elements || rest.length === 0) return undefined;
    // The path is relative to the plugin folder (as `ui.elements` is), but only the folder that holds the bundle
    // (and its own chunks) is public: never the plugin's sources, manifest or anything else.
    const folder = resolve(plugin.dir, elements, '..');
    const file = inside(resolve(plugin.dir), `/${rest.join('/')}`);
    const stats = file && file.startsWith(folder + sep) ? fileStats(file) : undefined;
    return file && stats ? { file, stats } : undefined;
  };

  /** Answers the request and returns true, or returns false to leave it to the kernel. */
  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    // The API's requests without parsing a URL: a raw path under /api/ is the kernel's whatever it decodes to (a
    // dot segment such as /api/../x reaches the kernel, which answers 404, instead of the console).
    if (req.url?.startsWith('/api/')) return false;
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
    } catch {
      return false;
    }
    if (isKernelPath(path)) return false;
    if (path.startsWith(PLUGIN_ASSETS)) {
      const asset = pluginAsset(path);
      if (!asset) return false;
      sendFile(req, res, asset.file, asset.stats, 'no-cache');
      return true;
    }
    if (!built) {
      sendText(res, 503, 'The ValueVerse admin console is not built. Run `npm run build`, then restart. The API is at /api/.');
      return true;
    }
    const file = path === '/' ? undefined : inside(root, path);
    const stats = file ? fileStats(file) : undefined;
    if (file && stats) {
      const html = file === index;
      sendFile(req, res, file, stats, html ? 'no-cache' : HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600', html);
      return true;
    }
    // A missing asset is a 404, not the app: a stale chunk must fail loudly, not be parsed as HTML.
    if (extname(path) !== '') {
      sendText(res, 404, `Not found: ${path}`);
      return true;
    }
    const indexStats = fileStats(index);
    if (!indexStats) return false;
    sendFile(req, res, index, indexStats, 'no-cache', true);
    return true;
  };

  const kernelListeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (handle(req, res)) return;
    for (const listener of kernelListeners) listener.call(server, req, res);
  });
  return { root, built };
}
