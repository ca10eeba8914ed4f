export { checkManifest } from './check-manifest';
export { createTestKernel, type TestKernel, type TestKernelOptions, type TestPluginSource, type TestRequestOptions, type TestResponse } from './create-test-kernel';
export { startFakeOpenAi, type FakeOpenAi, type FakeOpenAiOptions, type FakeOpenAiReply, type FakeOpenAiRequest, type FakeOpenAiUsage } from './fake-openai-server';
