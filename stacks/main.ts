/**
 * The cdktf app: one stack per environment (`dev`, `prod`). `npx cdktf synth`
 * (see cdktf.json) or `npx tsx stacks/main.ts` writes cdktf.out/stacks/<env>/cdk.tf.json;
 * any guardrail error fails synth with every finding listed.
 */
import { App } from 'cdktf';
import { ProcurementStack } from './procurement-stack';

export function buildApp(app: App = new App()): App {
  new ProcurementStack(app, 'dev', { environment: 'dev' });
  new ProcurementStack(app, 'prod', { environment: 'prod' });
  return app;
}

if (require.main === module) {
  try {
    buildApp().synth();
  } catch (error) {
    // The message already lists every finding as `[path] RULE-ID: message`; a stack trace would bury it.
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
