export * from './types';
export * from './schemas';
export * from './validate';
export * from './effective-scopes';
export * from './admin-api';
export * from './errors';
export * from './ownership';
