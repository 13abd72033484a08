// Drives the legacy npm `iamport` client against homeport. It has no base-URL option: the
// host is the static Iamport.DEFAULT_HOST, copied into each resource at construction, so it
// is set before `new Iamport(...)`. A method is a resource method of the instance
// ("payment.getByImpUid", "subscribe_customer.create"); the call reports the envelope's
// `response` it resolved with.
import Iamport from 'iamport';

import { method, serve } from './common.mjs';

await serve(({ baseUrl, apiKey, apiSecret }) => {
  Iamport.DEFAULT_HOST = baseUrl;
  const iamport = new Iamport({ impKey: apiKey, impSecret: apiSecret });
  return { bind: (path) => method(iamport, path) };
});
