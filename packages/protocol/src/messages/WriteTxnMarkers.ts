import type { ApiSpec } from '../schema/types';

/** WriteTxnMarkers (27). Inter-broker: the txn coordinator has leaders write commit/abort markers. */
export const WriteTxnMarkers = {
  apiKey: 27,
  name: 'WriteTxnMarkers',
  request: {
    name: 'WriteTxnMarkersRequest',
    type: 'request',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'markers',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'producerId', type: 'int64', versions: '0+' },
          { name: 'producerEpoch', type: 'int16', versions: '0+' },
          { name: 'transactionResult', type: 'bool', versions: '0+' },
          {
            name: 'topics',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
            ],
          },
          { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'WriteTxnMarkersResponse',
    type: 'response',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'markers',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'producerId', type: 'int64', versions: '0+' },
          {
            name: 'topics',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'name', type: 'string', versions: '0+' },
              {
                name: 'partitions',
                type: '[]struct',
                versions: '0+',
                fields: [
                  { name: 'partitionIndex', type: 'int32', versions: '0+' },
                  { name: 'errorCode', type: 'int16', versions: '0+' },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
