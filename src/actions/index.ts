export * from './action';
export * from './action-key';
