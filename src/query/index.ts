export * from './query-expression';
export * from './evaluate-query';
