export * from './go-sdk';
