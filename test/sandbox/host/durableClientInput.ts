// Test infrastructure: the value of a `durableClient` input binding, as the Durable extension hands it to
// out-of-process workers (durable-functions 3.5 lib/src/durableClient/OrchestrationClientInputData.js).
// `rpcBaseUrl` is the extension's local-only listener, which DurableClient prefers when present; the
// webhook URLs under /runtime/webhooks/durabletask carry the extension's system key in `code`, which is
// why the app must never hand `sendEventPostUri` to a person.

export interface DurableClientEndpoints {
  /** e.g. http://127.0.0.1:7071 */
  readonly publicOrigin: string;
  /** e.g. http://127.0.0.1:17071/durabletask/ (trailing slash: DurableClient resolves paths against it) */
  readonly rpcBaseUrl: string;
  readonly taskHubName: string;
  readonly systemKey: string;
}

export interface DurableClientInput {
  readonly taskHubName: string;
  readonly creationUrls: Record<string, string>;
  readonly managementUrls: Record<string, string>;
  readonly baseUrl: string;
  readonly requiredQueryStringParameters: string;
  readonly rpcBaseUrl: string;
}

export function durableClientInput(endpoints: DurableClientEndpoints): DurableClientInput {
  const baseUrl = `${endpoints.publicOrigin}/runtime/webhooks/durabletask`;
  const required = `taskHub=${encodeURIComponent(endpoints.taskHubName)}&connection=Storage&code=${encodeURIComponent(endpoints.systemKey)}`;
  const instance = `${baseUrl}/instances/INSTANCEID`;
  return {
    taskHubName: endpoints.taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${baseUrl}/orchestrators/{functionName}[/{instanceId}]?code=${encodeURIComponent(endpoints.systemKey)}`,
      createAndWaitOnNewInstancePostUri: `${baseUrl}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${encodeURIComponent(endpoints.systemKey)}`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: `${instance}?${required}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${required}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${required}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${required}`,
      purgeHistoryDeleteUri: `${instance}?${required}`,
      restartPostUri: `${instance}/restart?${required}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${required}`,
      resumePostUri: `${instance}/resume?reason={text}&${required}`,
    },
    baseUrl,
    requiredQueryStringParameters: required,
    rpcBaseUrl: endpoints.rpcBaseUrl,
  };
}
