/**
 * The CDK the app runs on: CDK for Terraform (`cdktf` 0.21) or its community
 * continuation CDK Terrain (`cdktn`). Both are peer dependencies: the app
 * installs one, and every class the constructs extend must come from THAT
 * copy. cdktn recognises Terraform elements by `Symbol.for('cdktf/...')`, so a
 * resource built on cdktf's classes inside a cdktn stack is taken for one of
 * its own, and synth then calls methods cdktf 0.21 lacks
 * (`e._resetResolveDiscoveredProviderFeatureUsage is not a function`). Hence this one module,
 * through which the constructs reach the CDK, and which picks the CDK the app
 * has loaded. The API used is what both provide (their TypeScript surfaces are
 * the same for it); the types are cdktf's.
 */
import type * as Cdktf from 'cdktf';
import type { IConstruct } from 'constructs';

type Cdk = typeof Cdktf;

/** Package names in the order of preference when the app has loaded neither yet. */
const CANDIDATES = ['cdktf', 'cdktn'] as const;
export type CdkName = (typeof CANDIDATES)[number];

function resolvable(name: CdkName): string | undefined {
  try {
    return require.resolve(name);
  } catch {
    return undefined;
  }
}

/**
 * The app normally imports its CDK before this library (the README's first
 * stack does): then that copy is in the require cache and is the one to use.
 * Otherwise the only one installed; when both are installed and neither is
 * loaded, cdktf (Authorization then checks the stack and says what to do).
 */
function selectCdk(): { name: CdkName; module: Cdk } {
  const installed = CANDIDATES.flatMap(name => {
    const path = resolvable(name);
    return path ? [{ name, path }] : [];
  });
  if (installed.length === 0) {
    throw new Error(
      'procurement-scopes needs CDK for Terraform or CDK Terrain next to it, and found neither: ' +
        'run `npm install cdktf@0.21 constructs` or `npm install cdktn constructs` in your project',
    );
  }
  const chosen = installed.find(c => require.cache[c.path]) ?? installed[0];
  return { name: chosen.name, module: require(chosen.path) as Cdk };
}

const selected = selectCdk();

/** Which CDK the constructs are built on in this process. */
export const CDK_NAME: CdkName = selected.name;

export const {
  TerraformResource,
  TerraformProvider,
  TerraformStack,
  TerraformOutput,
  Annotations,
  Aspects,
  Lazy,
  Token,
  Tokenization,
  DefaultTokenResolver,
  StringConcat,
  DISABLE_STACK_TRACE_IN_METADATA,
} = selected.module;
export type TerraformResource = Cdktf.TerraformResource;
export type TerraformProvider = Cdktf.TerraformProvider;
export type TerraformStack = Cdktf.TerraformStack;
export type TerraformOutput = Cdktf.TerraformOutput;
export type TerraformResourceLifecycle = Cdktf.TerraformResourceLifecycle;

/**
 * Fails, saying what to do, when the stack `construct` is in comes from the
 * other CDK than the one the constructs were built on (both installed, and the
 * app imported this library first).
 */
export function assertSameCdk(construct: IConstruct): void {
  const stack = construct.node.scopes.find(c => TerraformStack.isStack(c));
  if (!stack || stack instanceof TerraformStack) return;
  const other = CANDIDATES.find(name => name !== CDK_NAME)!;
  throw new Error(
    `[${construct.node.path}] is in a TerraformStack of another CDK than the one procurement-scopes loaded (${CDK_NAME}). ` +
      `With both cdktf and cdktn installed, import your CDK (e.g. \`import { App } from '${other}'\`) before 'procurement-scopes', ` +
      'or keep only one of them installed (`npm ls cdktf cdktn` shows which are).',
  );
}
