import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { WORKER_NICE } from './compute-budget';
import { runComputeTask, serializeError, type ComputeTask } from './compute-task';

// Below the event loop in the scheduler: on Linux the nice value is per thread (setpriority(2), "BUGS"), so this
// lowers only this worker, and a host whose cores are all busy evaluating still serves requests first. Elsewhere
// it would nice the whole process, so it is left alone there.
if (process.platform === 'linux') {
  try {
    setPriority((workerData as { nice?: number } | null)?.nice ?? WORKER_NICE);
  } catch {
    // Not permitted (some containers): the worker runs at normal priority.
  }
}

// The entry of a compute worker thread (see ComputePool): one task at a time, answered with its result or its
// error as plain data. The pool enforces the time budget by terminating this thread.
parentPort?.on('message', (task: ComputeTask) => {
  runComputeTask(task).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (error: unknown) => parentPort!.postMessage({ ok: false, error: serializeError(error) }),
  );
});
