/**
 * The app: one stack per environment. `npm run synth` writes
 * cdktf.out/stacks/<env>/cdk.tf.json; a guardrail error fails synth and lists
 * every finding.
 */
import { App } from 'cdktf';
import { ProcurementStack } from './procurement-stack';

const app = new App();
new ProcurementStack(app, 'dev', { environment: 'dev' });
new ProcurementStack(app, 'prod', { environment: 'prod' });
app.synth();
