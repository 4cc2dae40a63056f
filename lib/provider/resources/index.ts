/** The registry of resource types: the provider serves exactly these. */
import { ResourceModule } from '../framework/resource-module';
import { clientResource } from './client';
import { roleResource } from './role';
import { roleBindingResource } from './role-binding';
import { scopeResource } from './scope';

export const RESOURCES: readonly ResourceModule[] = [scopeResource, roleResource, clientResource, roleBindingResource];
