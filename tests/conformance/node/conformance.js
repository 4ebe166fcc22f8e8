// The Node.js azure-iothub SDK, unmodified, through the IoT Hub job workflows against the emulator.
//   node conformance.js sas     JobClient / Registry / Client from the connection string (SAS)
//   node conformance.js entra   the same from @azure/identity's ClientSecretCredential (Entra ID)
// The emulator's variables (env.json) are in the environment; TLS trust comes from NODE_EXTRA_CA_CERTS (its CA).
// The SDK puts the host name in the URL's host field and cannot take a port, so the emulator runs on port 443
// (AZURE_IOTHUB_HOSTNAME is then the bare host, as a real hub's is). The last line printed is the JSON result.
'use strict';

const { JobClient, Registry, Client } = require('azure-iothub');

const mode = process.argv[2] || 'sas';
const env = process.env;
const results = {};
const notes = [];

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function body(result) {
  // Promises resolve to {responseBody, httpResponse} (ResultWithHttpResponse) or the job status itself.
  if (result && result.responseBody !== undefined) return result.responseBody;
  if (result && result.jobStatus !== undefined) return result.jobStatus;
  if (result && result.result !== undefined) return result.result;
  return result;
}

// Query.next() without an argument in promise style restarts from the first page (its callback form uses the
// stored token): pass the token, at most 1000 pages.
async function allPages(query) {
  let items = [];
  for (let page = 0; page < 1000; page++) {
    items = items.concat(body(await query.next(query.continuationToken)));
    if (!query.hasMoreResults) return items;
  }
  throw new Error('more than 1000 pages');
}

async function op(name, fn) {
  try {
    const detail = await fn();
    results[name] = 'ok';
    if (detail) notes.push(name + ': ' + detail);
  } catch (err) {
    const status = err.response && err.response.statusCode;
    results[name] = 'FAIL: ' + (status ? 'HTTP ' + status + ' ' : '') + String(err.message || err).split('\n')[0].slice(0, 160);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function waitFor(read, isDone, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(what + ' not done: ' + JSON.stringify(value).slice(0, 200));
    await sleep(100);
  }
}

function clients() {
  if (mode === 'entra') {
    const { ClientSecretCredential } = require('@azure/identity');
    const credential = new ClientSecretCredential(env.AZURE_TENANT_ID, env.AZURE_CLIENT_ID, env.AZURE_CLIENT_SECRET,
      { authorityHost: env.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true });
    const host = env.AZURE_IOTHUB_HOSTNAME;
    return { jobs: JobClient.fromTokenCredential(host, credential), registry: Registry.fromTokenCredential(host, credential),
             service: Client.fromTokenCredential(host, credential) };
  }
  const cs = env.AZURE_IOTHUB_CONNECTION_STRING;
  return { jobs: JobClient.fromConnectionString(cs), registry: Registry.fromConnectionString(cs),
           service: Client.fromConnectionString(cs) };
}

async function main() {
  const { jobs, registry, service } = clients();
  const tag = mode + Date.now().toString(36);
  const twinJob = 'node-twin-' + tag;
  const methodJob = 'node-method-' + tag;
  const laterJob = 'node-later-' + tag;
  const getJob = async (id) => body(await jobs.getJob(id));
  const finished = (job) => ['completed', 'failed', 'cancelled'].includes(job.status);

  // The SDK sends startTime: null when none is given, which the hub refuses (azure-iot-sdk-node#847): pass one.
  await op('twin job: create', async () => {
    const patch = { etag: '*', tags: { conformance: tag }, properties: { desired: { fwVersion: '2.0.0' } } };
    const job = body(await jobs.scheduleTwinUpdate(twinJob, "tags.ring = 'canary'", patch, new Date(), 600));
    expect(job.jobId === twinJob, 'jobId ' + job.jobId);
  });
  await op('twin job: get (completed)', async () => {
    const job = await waitFor(() => getJob(twinJob), finished, twinJob);
    expect(job.status === 'completed' && job.deviceJobStatistics.deviceCount >= 1, JSON.stringify(job));
  });
  await op('method job: create', async () => {
    const params = { methodName: 'reboot', payload: { delay: 0 }, responseTimeoutInSeconds: 30 };
    const job = body(await jobs.scheduleDeviceMethod(methodJob, "deviceId IN ['device-00001', 'device-00002']", params,
      new Date(), 600));
    expect(job.jobId === methodJob, 'jobId ' + job.jobId);
  });
  await op('method job: get (completed)', async () => {
    const job = await waitFor(() => getJob(methodJob), finished, methodJob);
    expect(job.status === 'completed' && job.deviceJobStatistics.succeededCount === 2, JSON.stringify(job));
  });
  await op('job: cancel', async () => {
    const params = { methodName: 'reboot', payload: {}, responseTimeoutInSeconds: 30 };
    await jobs.scheduleDeviceMethod(laterJob, '*', params, new Date(Date.now() + 3600 * 1000), 600);
    const job = body(await jobs.cancelJob(laterJob));
    expect(job.status === 'cancelled', 'status ' + job.status);
  });
  await op('jobs: query', async () => {
    const query = jobs.createQuery('scheduleDeviceMethod', undefined, 100);
    const items = await allPages(query);
    const ids = items.map((item) => item.jobId);
    expect(ids.includes(methodJob) && ids.includes(laterJob), 'ids ' + ids.join(','));
    return items.length + ' method jobs';
  });
  await op('device job rows: query', async () => {
    const query = registry.createQuery("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '" + methodJob + "'", 1);
    const rows = await allPages(query);
    expect(rows.length === 2 && rows.every((row) => row.status === 'completed'), JSON.stringify(rows).slice(0, 200));
  });

  const blobs = env.EMULATOR_URL + '/_emulator/blobs/';
  let exportId;
  await op('export: create', async () => {
    const job = body(await registry.exportDevicesToBlob(blobs + 'node' + mode + '?sig=conformance', false));
    exportId = job.jobId;
    expect(exportId && job.type === 'export', JSON.stringify(job));
  });
  await op('export: get (completed)', async () => {
    const job = await waitFor(async () => body(await registry.getJob(exportId)), finished, 'export');
    expect(job.status === 'completed', JSON.stringify(job));
  });
  let importId;
  await op('import: create', async () => {
    const container = blobs + 'node' + mode + '?sig=conformance';
    const job = body(await registry.importDevicesFromBlob(container, container));
    importId = job.jobId;
    expect(importId && job.type === 'import', JSON.stringify(job));
    const done = await waitFor(async () => body(await registry.getJob(importId)), finished, 'import');
    expect(done.status === 'completed', JSON.stringify(done));
  });
  await op('import/export: list', async () => {
    const listed = body(await registry.listJobs());
    const ids = listed.map((job) => job.jobId);
    expect(ids.includes(exportId) && ids.includes(importId), 'ids ' + ids.join(','));
  });
  await op('import/export: cancel', async () => {
    const job = body(await registry.exportDevicesToBlob(blobs + 'nodecancel' + mode + '?sig=conformance', true));
    const cancelled = body(await registry.cancelJob(job.jobId));
    const after = body(await registry.getJob(job.jobId));
    expect(['cancelled'].includes(after.status), 'status ' + after.status + ' / ' + JSON.stringify(cancelled));
  });

  await op('devices: list', async () => {
    const devices = body(await registry.list());
    expect(devices.length >= 1 && devices[0].deviceId, JSON.stringify(devices).slice(0, 200));
    return devices.length + ' devices';
  });
  await op('statistics', async () => {
    const stats = body(await registry.getRegistryStatistics());
    expect(stats.totalDeviceCount >= 1, JSON.stringify(stats));
  });
  await op('direct method: invoke', async () => {
    const answer = body(await service.invokeDeviceMethod('device-00003', { methodName: 'reboot', payload: {},
      responseTimeoutInSeconds: 30 }));
    expect(answer.status === 200, JSON.stringify(answer));
  });
}

function report() {
  const version = require('azure-iothub/package.json').version;
  console.log(JSON.stringify({ client: 'azure-iothub ' + version + ' (Node.js, ' + (mode === 'entra' ? 'Entra ID' : 'SAS') + ')',
                               results, notes }));
  process.exit(0);
}

setTimeout(() => {
  results['(driver)'] = 'FAIL: still running after 240 s';
  report();
}, 240000).unref();

main()
  .catch((err) => {
    results['(driver)'] = 'FAIL: ' + String(err && err.stack || err).split('\n')[0];
  })
  .finally(report);
