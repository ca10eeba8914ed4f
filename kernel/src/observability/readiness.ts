import type { PluginRecord } from '../lifecycle/plugin-state';

/** One backing service that `/health/ready` reports on. */
export interface ReadinessCheck {
  /** Its key under `dependencies` in `/health/ready` (`database`, `redis`). */
  readonly name: string;
  /**
   * Required: while it is down the instance cannot serve (readiness 503, `unavailable`). Not required: the instance
   * serves without it, `degraded` (200) — Redis, whose users fall back to this instance (issue #10, finding 6).
   */
  readonly required: boolean;
  /** True when the dependency answers. Bounded by `timeoutMs` and cached for `cacheMs`, so it may be a round trip. */
  probe(): boolean | Promise<boolean>;
}

export type DependencyState = 'ok' | 'unavailable';

/**
 * - `ready` (200): every dependency answers and every plugin runs;
 * - `degraded` (200): it serves, but a plugin is not running (its own routes answer 503) or an optional dependency
 *   (Redis) is down. 200 on purpose: every replica of a deployment has the same plugins and the same Redis, so a 503
 *   here would take them all out of the load balancer for something each of them survives;
 * - `unavailable` (503): a required dependency (the database) does not answer: no request can succeed here;
 * - `draining` (503): shutting down.
 */
export type ReadinessStatus = 'ready' | 'degraded' | 'unavailable' | 'draining';

export interface ReadinessReport {
  readonly httpStatus: 200 | 503;
  readonly status: ReadinessStatus;
  readonly dependencies: Readonly<Record<string, DependencyState>>;
  /** Ids of the plugins that are not `running` (failed, blocked, still starting or stopped). */
  readonly notRunning: readonly string[];
}

interface Cached {
  at: number;
  state: DependencyState;
  pending?: Promise<DependencyState>;
}

/**
 * Readiness of this instance from its dependencies and plugins. Probes are cached (`cacheMs`, 1 s by default) and
 * shared by concurrent callers, so a load balancer polling every instance often costs one `select 1` a second, and
 * each is bounded (`timeoutMs`, 2 s by default): a database that hangs is as unavailable as one that refuses.
 */
export class Readiness {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    private readonly options: { cacheMs?: number; timeoutMs?: number; now?: () => number } = {},
  ) {}

  async report(plugins: readonly PluginRecord[], draining: boolean): Promise<ReadinessReport> {
    const states = await Promise.all(this.checks.map(async (check) => [check, await this.state(check)] as const));
    const dependencies = Object.fromEntries(states.map(([check, state]) => [check.name, state]));
    const notRunning = plugins.filter((p) => p.state !== 'running').map((p) => p.id);
    const requiredDown = states.some(([check, state]) => check.required && state === 'unavailable');
    const anyDown = states.some(([, state]) => state === 'unavailable');
    const status: ReadinessStatus = draining ? 'draining' : requiredDown ? 'unavailable' : anyDown || notRunning.length > 0 ? 'degraded' : 'ready';
    return { httpStatus: draining || requiredDown ? 503 : 200, status, dependencies, notRunning };
  }

  private state(check: ReadinessCheck): Promise<DependencyState> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(check.name);
    if (cached?.pending) return cached.pending;
    if (cached && now - cached.at < (this.options.cacheMs ?? 1000)) return Promise.resolve(cached.state);
    const pending = this.probe(check).then((state) => {
      this.cache.set(check.name, { at: (this.options.now ?? Date.now)(), state });
      return state;
    });
    this.cache.set(check.name, { at: cached?.at ?? 0, state: cached?.state ?? 'ok', pending });
    return pending;
  }

  private async probe(check: ReadinessCheck): Promise<DependencyState> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.timeoutMs ?? 2000);
    });
    try {
      const answered = await Promise.race([Promise.resolve().then(() => check.probe()), timeout]);
      return answered ? 'ok' : 'unavailable';
    } catch {
      return 'unavailable';
    } finally {
      clearTimeout(timer);
    }
  }
}
