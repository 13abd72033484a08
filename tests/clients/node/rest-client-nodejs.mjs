// Drives npm `iamport-rest-client-nodejs` (the official TypeScript client) against homeport.
// A method is a request builder of its `Request` namespace ("Payments.getByImpUid",
// "Customers.postBillingKey"); the built request is sent with the batch's `Iamport` instance
// and the call reports what the client resolved with: `response.data` (its Item / List /
// Collection wrapper: {code, message, response[, failed]}) plus the HTTP status axios saw.
import { createRequire } from 'node:module';

import client from 'iamport-rest-client-nodejs';

import { method, serve } from './common.mjs';

const require = createRequire(import.meta.url);
// Not re-exported by the package's entry point; merchants import it by path like this.
const IamportIterator = require('iamport-rest-client-nodejs/dist/IamportIterator.js').default;

const { Iamport, Request } = client;

await serve(({ baseUrl, apiKey, apiSecret }) => {
  const iamport = new Iamport({ apiKey, apiSecret, baseUrl });

  async function send(request) {
    const answer = await request.request(iamport);
    return { status: answer.status, data: answer.data };
  }

  return {
    bind: (path) => {
      const build = method(Request, path);
      return (...args) => send(build(...args));
    },
    operations: {
      // Walks every page of a status listing with the client's own iterator.
      iterateByStatus: async (params) => {
        const request = Request.Payments.getByStatus(params);
        const pages = [(await request.request(iamport)).data];
        const iterator = new IamportIterator(request);
        while (iterator.hasNext() && pages.length < 20) {
          pages.push((await iterator.next(iamport)).data);
        }
        return { pages };
      },
    },
  };
});
