import { TerraformResourceLifecycle } from '../cdk';

/**
 * Every procurement object is keyed by the name its author chose, so changing
 * that name replaces it. Terraform's default replacement deletes first, which
 * the server refuses while the old object is still referenced (a role naming
 * the scope, a binding naming the client). Creating the new object first lets
 * Terraform repoint the references and delete the old one last.
 */
export const KEYED_LIFECYCLE: TerraformResourceLifecycle = { createBeforeDestroy: true };
