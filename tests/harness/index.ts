export * from './fourLetterWords';
export * from './ports';
export * from './processes';
export * from './run';
export * from './wait';
export * from './zkclient';
export * from './zookeeper';
