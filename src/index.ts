// Composition root: every app.* / df.app.* registration, nothing else, all in one shape: each trigger file
// exports its handler and its options, registered here under the file's name, so a name in Application
// Insights leads straight to the file.
import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { applyWaveOptions } from './activities/applyWave';
import { callExternalCheckOptions } from './activities/callExternalCheck';
import { claimEnvironmentOptions } from './activities/claimEnvironment';
import { ACTIVITIES, ORCHESTRATIONS } from './activities/contracts';
import { inspectBundleOptions } from './activities/inspectBundle';
import { notifyOptions } from './activities/notify';
import { planEnvironmentOptions } from './activities/planEnvironment';
import { provisionEnvironmentOptions } from './activities/provisionEnvironment';
import { readChecksOptions } from './activities/readChecks';
import { releaseEnvironmentOptions } from './activities/releaseEnvironment';
import { stageSourceOptions } from './activities/stageSource';
import { startChecksOptions } from './activities/startChecks';
import { approvalDecisionOptions } from './functions/approvalDecision';
import { approvalPageOptions } from './functions/approvalPage';
import { azureDevOpsWebhookOptions } from './functions/azureDevOpsWebhook';
import { doctorOptions } from './functions/doctor';
import { getAuditOptions } from './functions/getAudit';
import { getReleaseOptions } from './functions/getRelease';
import { githubWebhookOptions } from './functions/githubWebhook';
import { listReleasesOptions } from './functions/listReleases';
import { purgeHistoryOptions } from './functions/purgeHistory';
import { rollbackLinkOptions } from './functions/rollbackLink';
import { startReleaseOptions } from './functions/startRelease';
import { startReleaseFromBlobOptions } from './functions/startReleaseFromBlob';
import { viewReleaseOptions } from './functions/viewRelease';
import { deployEnvironment } from './orchestrations/deployEnvironment';
import { deployRelease } from './orchestrations/deployRelease';
import { deployTarget } from './orchestrations/deployTarget';

df.app.orchestration(ORCHESTRATIONS.deployRelease, deployRelease);
df.app.orchestration(ORCHESTRATIONS.deployEnvironment, deployEnvironment);
df.app.orchestration(ORCHESTRATIONS.deployTarget, deployTarget);

df.app.activity(ACTIVITIES.inspectBundle, inspectBundleOptions);
df.app.activity(ACTIVITIES.planEnvironment, planEnvironmentOptions);
df.app.activity(ACTIVITIES.provisionEnvironment, provisionEnvironmentOptions);
df.app.activity(ACTIVITIES.applyWave, applyWaveOptions);
df.app.activity(ACTIVITIES.claimEnvironment, claimEnvironmentOptions);
df.app.activity(ACTIVITIES.releaseEnvironment, releaseEnvironmentOptions);
df.app.activity(ACTIVITIES.notify, notifyOptions);
df.app.activity(ACTIVITIES.stageSource, stageSourceOptions);
df.app.activity(ACTIVITIES.startChecks, startChecksOptions);
df.app.activity(ACTIVITIES.readChecks, readChecksOptions);
df.app.activity(ACTIVITIES.callExternalCheck, callExternalCheckOptions);

app.http('startRelease', startReleaseOptions);
app.http('listReleases', listReleasesOptions);
app.http('getRelease', getReleaseOptions);
app.http('viewRelease', viewReleaseOptions);
app.http('approvalPage', approvalPageOptions);
app.http('approvalDecision', approvalDecisionOptions);
app.http('rollbackLink', rollbackLinkOptions);
app.http('githubWebhook', githubWebhookOptions);
app.http('azureDevOpsWebhook', azureDevOpsWebhookOptions);
app.http('doctor', doctorOptions);
app.http('getAudit', getAuditOptions);
app.storageBlob('startReleaseFromBlob', startReleaseFromBlobOptions);
app.timer('purgeHistory', purgeHistoryOptions);
