export * from './provider';
export * from './scope-resource';
export * from './role-resource';
export * from './client-resource';
export * from './role-binding-resource';
export * from './policy-resource';
