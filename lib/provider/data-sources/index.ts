/** The registry of data source types. */
import { DataSourceModule } from '../framework/resource-module';
import { clientResource } from '../resources/client';
import { scopeResource } from '../resources/scope';
import { clientEffectiveScopesDataSource } from './client-effective-scopes';
import { keyedLookup } from './keyed-lookup';

export const DATA_SOURCES: readonly DataSourceModule[] = [
  keyedLookup(scopeResource),
  keyedLookup(clientResource),
  clientEffectiveScopesDataSource,
];
