import type { ApiSpec } from '../schema/types';

/** Produce (0). v3+ carries record batch v2; v0–2 legacy message sets. acks=0 gets no response. */
export const Produce = {
  apiKey: 0,
  name: 'Produce',
  request: {
    name: 'ProduceRequest',
    type: 'request',
    validVersions: '0-9',
    flexibleVersions: '9+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      { name: 'acks', type: 'int16', versions: '0+' },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
      {
        name: 'topicData',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitionData',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'index', type: 'int32', versions: '0+' },
              { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'ProduceResponse',
    type: 'response',
    validVersions: '0-9',
    flexibleVersions: '9+',
    fields: [
      {
        name: 'responses',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitionResponses',
            type: '[]struct',
            versions: '0+',
            fields: [
              { name: 'index', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'baseOffset', type: 'int64', versions: '0+' },
              { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1, ignorable: true },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1, ignorable: true },
              {
                name: 'recordErrors',
                type: '[]struct',
                versions: '8+',
                ignorable: true,
                fields: [
                  { name: 'batchIndex', type: 'int32', versions: '8+' },
                  {
                    name: 'batchIndexErrorMessage',
                    type: 'string',
                    versions: '8+',
                    nullableVersions: '8+',
                    default: null,
                  },
                ],
              },
              {
                name: 'errorMessage',
                type: 'string',
                versions: '8+',
                nullableVersions: '8+',
                default: null,
                ignorable: true,
              },
            ],
          },
        ],
      },
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0, ignorable: true },
    ],
  },
} as const satisfies ApiSpec;
