// Public face of the CRI client for kubelet code.
export { connectCri, waitForCriReady, conditionStatus, type CriClient, type WaitReadyOptions } from './client.js';
export type { CallOptions, ConnectionOptions } from './connection.js';
export { CriError, isCriError, isNotFound, isUnimplemented, type CriErrorCode } from './errors.js';
export { RuntimeServiceClient } from './runtime.js';
export { ImageServiceClient } from './image.js';
export type * from './types.js';
