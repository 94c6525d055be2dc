// Composition root: every app.* / df.app.* registration, nothing else. A function's registered name is
// its file name, so a name in Application Insights leads straight to the file.
import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { applyWave } from './activities/applyWave';
import { claimEnvironment } from './activities/claimEnvironment';
import { ACTIVITIES, ORCHESTRATIONS } from './activities/contracts';
import { failuresAsData } from './activities/failuresAsData';
import { inspectBundle } from './activities/inspectBundle';
import { notify } from './activities/notify';
import { planEnvironment } from './activities/planEnvironment';
import { provisionEnvironment } from './activities/provisionEnvironment';
import { releaseEnvironment } from './activities/releaseEnvironment';
import { stageSource } from './activities/stageSource';
import { approvalDecision } from './functions/approvalDecision';
import { approvalPage } from './functions/approvalPage';
import { azureDevOpsWebhookOptions } from './functions/azureDevOpsWebhook';
import { doctorOptions } from './functions/doctor';
import { getRelease } from './functions/getRelease';
import { githubWebhookOptions } from './functions/githubWebhook';
import { listReleases } from './functions/listReleases';
import { startRelease } from './functions/startRelease';
import { startReleaseFromBlobOptions } from './functions/startReleaseFromBlob';
import { deployEnvironment } from './orchestrations/deployEnvironment';
import { deployRelease } from './orchestrations/deployRelease';

df.app.orchestration(ORCHESTRATIONS.deployRelease, deployRelease);
df.app.orchestration(ORCHESTRATIONS.deployEnvironment, deployEnvironment);

// Every activity returns permanent failures as data and throws only what a retry can fix.
df.app.activity(ACTIVITIES.inspectBundle, { handler: failuresAsData(inspectBundle) });
df.app.activity(ACTIVITIES.planEnvironment, { handler: failuresAsData(planEnvironment) });
df.app.activity(ACTIVITIES.provisionEnvironment, { handler: failuresAsData(provisionEnvironment) });
df.app.activity(ACTIVITIES.applyWave, { handler: failuresAsData(applyWave) });
df.app.activity(ACTIVITIES.claimEnvironment, {
  handler: failuresAsData(claimEnvironment),
  extraInputs: [df.input.durableClient()],
});
df.app.activity(ACTIVITIES.releaseEnvironment, { handler: failuresAsData(releaseEnvironment) });
df.app.activity(ACTIVITIES.notify, { handler: notify });
df.app.activity(ACTIVITIES.stageSource, { handler: failuresAsData(stageSource) });

const durableClient = [df.input.durableClient()];
app.http('startRelease', {
  route: 'releases',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: durableClient,
  handler: startRelease,
});
app.http('listReleases', {
  route: 'releases',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: durableClient,
  handler: listReleases,
});
app.http('getRelease', {
  route: 'releases/{id}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: durableClient,
  handler: getRelease,
});
app.http('approvalPage', approvalPage);
app.http('approvalDecision', approvalDecision);
app.http('githubWebhook', githubWebhookOptions);
app.http('azureDevOpsWebhook', azureDevOpsWebhookOptions);
app.http('doctor', doctorOptions);
app.storageBlob('startReleaseFromBlob', startReleaseFromBlobOptions);
