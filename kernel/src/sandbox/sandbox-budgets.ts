/** What one sandboxed plugin may use. Operators set defaults and per-plugin values (`KernelOptions.sandbox`). */
export interface SandboxBudgets {
  /** CPU time one call may hold the sandbox's event loop without a break (default 1000 ms). */
  readonly cpuMs: number;
  /** Heap of the sandbox (`--max-old-space-size`); its resident memory may exceed it by `rssSlackMb` (default 128 MB). */
  readonly memoryMb: number;
  /** Calls the kernel makes into the sandbox at once (route, event and job handlers); more answer 503 (default 16). */
  readonly maxConcurrent: number;
  /** Longest wall time one call may take, waiting included (default 30 s); the call fails, the sandbox lives on. */
  readonly callTimeoutMs: number;
  /** A statement of the plugin's database transactions is cancelled after this long (default 5000 ms). */
  readonly statementTimeoutMs: number;
}

export const defaultSandboxBudgets: SandboxBudgets = { cpuMs: 1000, memoryMb: 128, maxConcurrent: 16, callTimeoutMs: 30_000, statementTimeoutMs: 5000 };
