export * from './file-digester';
