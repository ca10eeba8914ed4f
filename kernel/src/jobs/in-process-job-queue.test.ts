import { createKernelLogger } from '../observability/kernel-logger';
import { InProcessJobQueue } from './in-process-job-queue';
import { describeJobQueueContract } from './job-queue.contract';

describeJobQueueContract('InProcessJobQueue', async () => new InProcessJobQueue(createKernelLogger({ level: 'silent' })));
