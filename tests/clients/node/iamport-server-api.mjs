// Drives npm `iamport-server-api` (the SDK of fake-iamport-server) against homeport, the way
// its README does: `new IamportConnector(host, {imp_key, imp_secret})` caches the token, and
// every function of `functional` takes `await connector.get()` (host + raw Authorization
// header) first. A method is a dotted path below `functional` ("payments.at",
// "subscribe.customers.create"); its arguments follow the connection. The SDK resolves with
// the whole envelope {code, message, response} whatever `code` is, and rejects any status
// other than 200/201 with nestia's HttpError (.status, raw body as .message).
import sdk from 'iamport-server-api';

import { method, serve } from './common.mjs';

const { IamportConnector, functional } = sdk;

await serve(({ baseUrl, apiKey, apiSecret }) => {
  const accessor = { imp_key: apiKey, imp_secret: apiSecret };
  const connector = new IamportConnector(baseUrl, accessor);
  return {
    bind: (path) => {
      const fetch = method(functional, path);
      return async (...args) => fetch(await connector.get(), ...args);
    },
    operations: {
      // POST /users/getToken without a token, as the connector itself sends it.
      getToken: () => functional.users.getToken({ host: baseUrl }, accessor),
      // The connection the connector hands to every function (token cached between calls).
      connect: () => connector.get(),
    },
  };
});
