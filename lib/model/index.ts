export * from './types';
export * from './schemas';
export * from './validate';
export * from './effective-scopes';
