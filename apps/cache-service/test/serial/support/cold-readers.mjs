// Analytics readers for dashboard-under-load.e2e-spec.ts, in a process of their own (as other services would be),
// so that their HTTP client work is not the test process's load: READERS loops of broad cold queries, each backing
// off for Retry-After after a 503. Every outcome goes to the parent as it happens ({outcome}); on 'stop' the loops
// finish their request in flight and the process sends {done: outcomes} and exits.
// Environment: READERS_URL (the query route of one datasource), READERS_KEY (an analytics:read API key), READERS.
const url = process.env.READERS_URL;
const key = process.env.READERS_KEY;
const readers = Number(process.env.READERS ?? 40);
const outcomes = [];
let stopping = false;
process.on('message', (message) => {
  if (message === 'stop') stopping = true;
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function reader(n) {
  for (let i = 0; !stopping; i++) {
    // One provider per query: the table's index does not lead with it, so each is a scan of the whole table.
    const provider = (1 + ((n * 7 + i) % 40)) * 1000 + 1 + (i % 16);
    let outcome;
    try {
      const response = await fetch(`${url}?provider=${provider}`, { headers: { 'X-API-Key': key } });
      const body = await response.json().catch(() => ({}));
      outcome = { status: response.status, code: body.code, retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      outcome = { status: 0, code: String(error?.cause?.code ?? error?.message ?? error), retryAfter: null };
    }
    outcomes.push(outcome);
    process.send({ outcome });
    if (outcome.status === 503) await sleep(Math.max(1, Number(outcome.retryAfter) || 1) * 1000);
  }
}

await Promise.all(Array.from({ length: readers }, (_, n) => reader(n)));
process.send({ done: outcomes }, () => process.exit(0));
