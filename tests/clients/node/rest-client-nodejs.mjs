// Drives npm `iamport-rest-client-nodejs` (the official TypeScript client) against homeport.
// Operations print what the client resolved with: `response.data` (its Item / List /
// Collection wrapper: {code, message, response[, failed]}) plus the HTTP status axios saw.
import { createRequire } from 'node:module';

import client from 'iamport-rest-client-nodejs';

import { input, report } from './common.mjs';

const require = createRequire(import.meta.url);
// Not re-exported by the package's entry point; merchants import it by path like this.
const IamportIterator = require('iamport-rest-client-nodejs/dist/IamportIterator.js').default;

const { Iamport, Request } = client;
const { Authenticate, Banks, Cards, Payments, Prepare } = Request;
const { operation, baseUrl, apiKey, apiSecret, args } = input();

const iamport = new Iamport({ apiKey, apiSecret, baseUrl });

async function send(request) {
  const answer = await request.request(iamport);
  return { status: answer.status, data: answer.data };
}

await report(
  {
    getToken: () => send(Authenticate.getToken({ imp_key: apiKey, imp_secret: apiSecret })),
    getByImpUid: () => send(Payments.getByImpUid({ imp_uid: args.imp_uid })),
    getByImpUids: () => send(Payments.getByImpUids({ imp_uid: args.imp_uid })),
    getByMerchantUid: () =>
      send(Payments.getByMerchantUid({ merchant_uid: args.merchant_uid, status: args.status })),
    getByMerchantUids: () =>
      send(
        Payments.getByMerchantUids({
          merchant_uid: args.merchant_uid,
          status: args.status,
          page: args.page,
          sorting: args.sorting,
        }),
      ),
    getByStatus: () => send(Payments.getByStatus(args)),
    preparePost: () => send(Prepare.postAmount(args)),
    prepareGet: () => send(Prepare.getAmount({ merchant_uid: args.merchant_uid })),
    getBanks: () => send(Banks.getBanks()),
    getBank: () => send(Banks.getBank({ code: args.code })),
    getCards: () => send(Cards.getCards()),
    getCard: () => send(Cards.getCard({ code: args.code })),
    // Walks every page of a status listing with the client's own iterator.
    iterateByStatus: async () => {
      const request = Payments.getByStatus(args);
      const pages = [(await request.request(iamport)).data];
      const iterator = new IamportIterator(request);
      while (iterator.hasNext() && pages.length < 20) {
        pages.push((await iterator.next(iamport)).data);
      }
      return { pages };
    },
  },
  operation,
);
