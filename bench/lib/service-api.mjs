// The service's API as the bench's admin calls it (a started service: { baseUrl, token }).
import { setTimeout as sleep } from 'node:timers/promises';

export async function api(service, method, url, body) {
  const res = await fetch(`${service.baseUrl}${url}`, {
    method,
    headers: { Authorization: `Bearer ${service.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** POST warm, then poll the job until it ends (bounded); resolves to the job with its measured durations. */
export async function warmThroughService(service, datasourceId, timeoutMs) {
  const wallStarted = performance.now();
  const response = await api(service, 'POST', '/api/admin/analytics/cache/warm', { datasourceId, force: true });
  const result = response.results?.find((r) => r.datasourceId === datasourceId);
  if (result?.status !== 'queued') throw new Error(`warm not queued: ${JSON.stringify(response)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await api(service, 'GET', `/api/admin/analytics/cache/warming/jobs/${result.jobId}`);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) {
      if (job.status !== 'COMPLETED') throw new Error(`warm ${job.status}: ${job.failureReason}`);
      const seconds = (Date.parse(job.completedAt) - Date.parse(job.startedAt)) / 1000;
      return { ...job, seconds, wallSeconds: (performance.now() - wallStarted) / 1000 };
    }
    if (Date.now() > deadline) throw new Error(`warm ${result.jobId} still ${job.status} after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}
