export { memoryKeyValueProvider } from './memory-provider.ts';
