import type { ApiSpec } from '../schema/types';

/** DeleteTopics (20). Sent to the controller; v6 can name topics by id as well as by name. */
export const DeleteTopics = {
  apiKey: 20,
  name: 'DeleteTopics',
  request: {
    name: 'DeleteTopicsRequest',
    type: 'request',
    validVersions: '0-6',
    flexibleVersions: '4+',
    fields: [
      {
        name: 'topics',
        type: '[]struct',
        versions: '6+',
        fields: [
          { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+' },
          { name: 'topicId', type: 'uuid', versions: '6+' },
        ],
      },
      { name: 'topicNames', type: '[]string', versions: '0-5', ignorable: true },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
    ],
  },
  response: {
    name: 'DeleteTopicsResponse',
    type: 'response',
    validVersions: '0-6',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      {
        name: 'responses',
        type: '[]struct',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
          { name: 'topicId', type: 'uuid', versions: '6+', ignorable: true },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          {
            name: 'errorMessage',
            type: 'string',
            versions: '5+',
            nullableVersions: '5+',
            default: null,
            ignorable: true,
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;
