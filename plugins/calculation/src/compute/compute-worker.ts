import { parentPort } from 'node:worker_threads';
import { runComputeTask, serializeError, type ComputeTask } from './compute-task';

// The entry of a compute worker thread (see ComputePool): one task at a time, answered with its result or its
// error as plain data. The pool enforces the time budget by terminating this thread.
parentPort?.on('message', (task: ComputeTask) => {
  runComputeTask(task).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (error: unknown) => parentPort!.postMessage({ ok: false, error: serializeError(error) }),
  );
});
