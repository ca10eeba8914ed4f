import { ComputePool } from './compute-pool';

let shared: ComputePool | undefined;
let holders = 0;

/**
 * The process's compute pool, shared by every kernel in the process (tests boot several hosts in one process;
 * threads are a per-process resource). Each `acquire` is paired with a `release`; the last release stops the threads.
 */
export const sharedComputePool = {
  acquire(): ComputePool {
    holders++;
    // One thread beyond the others for short evaluations, so they never wait behind long ones.
    shared ??= new ComputePool({ shortLane: 1 });
    return shared;
  },
  async release(): Promise<void> {
    holders = Math.max(0, holders - 1);
    if (holders > 0 || !shared) return;
    const pool = shared;
    shared = undefined;
    await pool.close();
  },
};
