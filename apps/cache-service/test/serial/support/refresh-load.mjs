// Query load for load-during-refresh.e2e-spec.ts, in a process of its own so that the HTTP client work is not the
// test process's: LOAD_RATE requests a second (paced, not a closed loop), spread over the API processes of LOAD_URLS
// (comma-separated base URLs), mixed queries of one demo datasource (LOAD_DATASOURCE) with an analytics:read API key
// (LOAD_KEY). On 'stop' it waits for the requests in flight, then sends {done: {results, startedAt, stoppedAt}} and
// exits. Each result: [sentAt ms, latency ms, status, source (or error code), generation, entries, values: old/new/mixed/none].
const urls = process.env.LOAD_URLS.split(',');
const key = process.env.LOAD_KEY;
const datasource = process.env.LOAD_DATASOURCE;
const rate = Number(process.env.LOAD_RATE ?? 250);
const measures = ['Charges', 'Payments', 'Adjustments', 'Refunds'];
const frequencies = ['Daily', 'Weekly', 'Monthly', 'Quarterly'];
const results = [];
const inFlight = new Set();
let stopping = false;
process.on('message', (message) => {
  if (message === 'stop') stopping = true;
});

/** One of four query shapes: one entry, a practice's providers, a provider's frequencies, a measure across practices. */
function query(n) {
  const practice = 101 + (n % 16);
  const provider = practice * 100 + 1 + (n % 15);
  const measure = measures[n % 4];
  const frequency = frequencies[(n >> 2) % 4];
  switch (n % 4) {
    case 0:
      return { measure, frequency, practice, provider };
    case 1:
      return { measure, frequency, practice };
    case 2:
      return { measure, provider };
    default:
      return { measure, frequency: 'Quarterly', provider };
  }
}

/** Whether an answer's values are all the original ones ('old'), all raised by LOAD_RAISED ('new'), or both ('mixed'). */
const raised = Number(process.env.LOAD_RAISED ?? 1_000_000);
function valuesOf(body) {
  let old = 0;
  let fresh = 0;
  for (const entry of body.entries ?? []) {
    for (const [, value] of entry.rows ?? []) {
      if (value === null) continue;
      if (Number(value) >= raised) fresh++;
      else old++;
    }
  }
  return old && fresh ? 'mixed' : old ? 'old' : fresh ? 'new' : 'none';
}

async function send(n) {
  const params = new URLSearchParams(Object.entries(query(n)).map(([k, v]) => [k, String(v)]));
  const url = `${urls[n % urls.length]}/api/analytics/datasources/${datasource}/query?${params}`;
  const sentAt = Date.now();
  const started = performance.now();
  try {
    const response = await fetch(url, { headers: { 'X-API-Key': key } });
    const body = await response.json().catch(() => ({}));
    const latency = performance.now() - started;
    results.push([
      sentAt,
      latency,
      response.status,
      body.source ?? body.code ?? null,
      body.generation ?? null,
      Array.isArray(body.entries) ? body.entries.length : -1,
      valuesOf(body),
    ]);
  } catch (error) {
    results.push([
      sentAt,
      performance.now() - started,
      0,
      String(error?.cause?.code ?? error?.message ?? error),
      null,
      -1,
      'none',
    ]);
  }
}

const startedAt = Date.now();
const interval = 1000 / rate;
for (let n = 0; !stopping; n++) {
  const due = startedAt + n * interval;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const request = send(n).finally(() => inFlight.delete(request));
  inFlight.add(request);
}
const stoppedAt = Date.now();
await Promise.all(inFlight);
process.send({ done: { results, startedAt, stoppedAt } }, () => process.exit(0));
