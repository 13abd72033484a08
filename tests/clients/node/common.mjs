// Shared plumbing for the client scripts driven by tests/e2e/clients (see node.py there).
//
// A script calls `serve(connect)` and then runs until stdin closes. Environment:
// HOMEPORT_BASE_URL (origin, no trailing slash) and IMP_KEY (the default key). Each stdin
// line is one batch, {"key": "...", "secret": "...", "calls": [[method, [arg, ...]], ...]}
// ("key" optional: the merchant whose key the batch uses, else IMP_KEY): `connect({baseUrl,
// apiKey, apiSecret})` builds a fresh client for the batch (so token caches never leak
// between batches, nor between merchants) and the calls run in order on it. A method is
// either a named operation of the script or a dotted path the script's `bind` resolves
// ("payment.getByImpUid", "Customers.getBillingKey", "subscribe.customers.at").
//
// Each batch is answered with one stdout line: {"outcomes": [...]}, one per call,
// {"ok": true, "result": ...} when the client resolved, {"ok": false, "error": ...} when it
// rejected; or {"broken": "..."} when the batch itself was wrong (unknown method, bad JSON).
//
// By hand: echo '{"secret":"...","calls":[["payment.getByImpUid",[{"imp_uid":"imp_1"}]]]}' |
//   HOMEPORT_BASE_URL=http://127.0.0.1:8000 IMP_KEY=... node iamport-legacy.mjs
import { createInterface } from 'node:readline';

// The function at a dotted path below root, bound to the object that holds it (the legacy
// client's methods read `this`).
export function method(root, path) {
  const names = path.split('.');
  let owner = root;
  for (const name of names.slice(0, -1)) {
    owner = owner == null ? undefined : owner[name];
  }
  const found = owner == null ? undefined : owner[names[names.length - 1]];
  if (typeof found !== 'function') {
    throw new Error(`${path} is not a method of this client`);
  }
  return found.bind(owner);
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

// `connect(settings)` returns {bind(path) -> function of the call's arguments, operations}.
export async function serve(connect) {
  const baseUrl = process.env.HOMEPORT_BASE_URL;
  const apiKey = process.env.IMP_KEY;
  if (!baseUrl || !apiKey) {
    throw new Error('usage: HOMEPORT_BASE_URL=... IMP_KEY=... node script.mjs < batches (one JSON per line)');
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim()) {
      let answer;
      try {
        const { key, secret, calls } = JSON.parse(line);
        const settings = { baseUrl, apiKey: key ?? apiKey, apiSecret: secret };
        answer = { outcomes: await runBatch(await connect(settings), calls) };
      } catch (problem) {
        answer = { broken: String(problem && problem.stack ? problem.stack : problem) };
      }
      process.stdout.write(JSON.stringify(answer) + '\n');
    }
  }
}

async function runBatch({ bind, operations = {} }, calls) {
  // Resolve every method first: a typo is a broken batch, not a client rejection.
  const runs = calls.map(([name]) => (Object.hasOwn(operations, name) ? operations[name] : bind(name)));
  const outcomes = [];
  for (const [index, [, args]] of calls.entries()) {
    try {
      outcomes.push({ ok: true, result: plain(await runs[index](...args)) });
    } catch (error) {
      outcomes.push({ ok: false, error: describeError(error) });
    }
  }
  return outcomes;
}

function describeError(error) {
  if (error instanceof Error) {
    // axios errors carry the HTTP response; the legacy client sets err.code = 'HTTP_<status>';
    // nestia's HttpError (iamport-server-api) has .status and the raw body as .message.
    const response = error.response;
    return {
      kind: 'Error',
      name: error.constructor.name,
      message: error.message,
      code: error.code ?? null,
      isAxiosError: Boolean(error.isAxiosError),
      status: response ? response.status : (error.status ?? null),
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
