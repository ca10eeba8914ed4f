export { createTestKernel, type TestKernel, type TestKernelOptions, type TestPluginSource, type TestRequestOptions, type TestResponse } from './create-test-kernel';
