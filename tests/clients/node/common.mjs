// Shared plumbing for the client scripts run by tests/e2e/test_real_clients.py.
//
// Input: env HOMEPORT_BASE_URL (origin, no trailing slash), IMP_KEY, IMP_SECRET, and
// CLIENT_ARGS (a JSON object of the operation's arguments); argv[2] names the operation.
// Output: exactly one JSON line on stdout, {"ok": true, "result": ...} when the client
// resolved, {"ok": false, "error": ...} when it rejected. The exit code is 0 in both cases;
// a non-zero exit means the script itself broke.

export function input() {
  const operation = process.argv[2];
  const baseUrl = process.env.HOMEPORT_BASE_URL;
  if (!operation || !baseUrl) {
    throw new Error('usage: HOMEPORT_BASE_URL=... IMP_KEY=... IMP_SECRET=... node script.mjs OPERATION');
  }
  return {
    operation,
    baseUrl,
    apiKey: process.env.IMP_KEY,
    apiSecret: process.env.IMP_SECRET,
    args: JSON.parse(process.env.CLIENT_ARGS || '{}'),
  };
}

// Dates (the TypeScript client turns UNIX seconds into Date objects) become {"$date": seconds}
// so the test can tell "the client parsed an integer timestamp" from "the server sent a string".
export function plain(value) {
  if (value instanceof Date) {
    return { $date: value.getTime() / 1000 };
  }
  if (Array.isArray(value)) {
    return value.map(plain);
  }
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== 'function') {
        out[key] = plain(item);
      }
    }
    return out;
  }
  return value;
}

export async function report(operations, operation) {
  const run = operations[operation];
  if (!run) {
    throw new Error(`unknown operation ${operation}; known: ${Object.keys(operations).join(', ')}`);
  }
  let outcome;
  try {
    outcome = { ok: true, result: plain(await run()) };
  } catch (error) {
    outcome = { ok: false, error: describeError(error) };
  }
  process.stdout.write(JSON.stringify(outcome) + '\n');
}

function describeError(error) {
  if (error instanceof Error) {
    // axios errors carry the HTTP response; the legacy client sets err.code = 'HTTP_<status>'.
    const response = error.response;
    return {
      kind: 'Error',
      message: error.message,
      code: error.code ?? null,
      isAxiosError: Boolean(error.isAxiosError),
      status: response ? response.status : null,
      data: response ? plain(response.data) : null,
    };
  }
  // iamport-rest-client-nodejs rejects 2xx answers whose code is not 0 with a plain object
  // {response: {data}} (no status), see its request/Base.ts.
  return {
    kind: typeof error,
    value: plain(error),
  };
}
