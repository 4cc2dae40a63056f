/** The registry of resource types: the provider serves exactly these. */
import { AnyResourceModule } from '../framework/resource-module';
import { clientResource } from './client';
import { policyResource } from './policy';
import { roleResource } from './role';
import { roleBindingResource } from './role-binding';
import { scopeResource } from './scope';

export const RESOURCES: readonly AnyResourceModule[] = [scopeResource, roleResource, clientResource, roleBindingResource, policyResource];
