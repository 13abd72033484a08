// Drives the legacy npm `iamport` client against homeport. It has no base-URL option: the
// host is the static Iamport.DEFAULT_HOST, copied into each resource at construction, so it
// must be set before `new Iamport(...)`. Operations print the `response` it resolved with.
import Iamport from 'iamport';

import { input, report } from './common.mjs';

const { operation, baseUrl, apiKey, apiSecret, args } = input();

Iamport.DEFAULT_HOST = baseUrl;
const iamport = new Iamport({ impKey: apiKey, impSecret: apiSecret });

await report(
  {
    getByImpUid: () => iamport.payment.getByImpUid({ imp_uid: args.imp_uid }),
    getByMerchant: () => iamport.payment.getByMerchant({ merchant_uid: args.merchant_uid }),
    getByStatus: () => iamport.payment.getByStatus(args),
  },
  operation,
);
