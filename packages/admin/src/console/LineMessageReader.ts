/**
 * Kafka's LineMessageReader, the console producer's default reader: one record per line, with
 * the reader properties given as --property:
 *
 *   parse.key (false), key.separator ("\t")   the key before the first separator
 *   parse.headers (false), headers.delimiter ("\t"), headers.separator (","),
 *   headers.key.separator (":")                "h1:v1,h2:v2<TAB>key<TAB>value" (KIP-798)
 *   null.marker (unset)                        a key, value or header value equal to it is null
 *   ignore.error (false)                       a line without a separator is taken whole instead
 *                                              of stopping the producer
 *
 * Kafka 2.8's reader knows only the key properties; the header ones are Kafka 3.2's (KIP-798),
 * same names and wording, so the "headers" work from the console producer as well.
 */
export interface LineRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly { key: string; value: Buffer | null }[];
}

export class LineFormatError extends Error {
  override readonly name = 'KafkaException';
}

export class LineMessageReader {
  private readonly parseKey: boolean;
  private readonly keySeparator: string;
  private readonly parseHeaders: boolean;
  private readonly headersDelimiter: string;
  private readonly headersSeparator: string;
  private readonly headersKeySeparator: string;
  private readonly ignoreError: boolean;
  private readonly nullMarker: string | undefined;
  private lineNumber = 0;

  constructor(props: ReadonlyMap<string, string>) {
    this.parseKey = (props.get('parse.key') ?? 'false').trim().toLowerCase() === 'true';
    this.keySeparator = props.get('key.separator') ?? '\t';
    this.parseHeaders = (props.get('parse.headers') ?? 'false').trim().toLowerCase() === 'true';
    this.headersDelimiter = props.get('headers.delimiter') ?? '\t';
    this.headersSeparator = props.get('headers.separator') ?? ',';
    this.headersKeySeparator = props.get('headers.key.separator') ?? ':';
    this.ignoreError = (props.get('ignore.error') ?? 'false').trim().toLowerCase() === 'true';
    this.nullMarker = props.get('null.marker');
    if (this.nullMarker !== undefined) {
      for (const [name, value] of [
        ['key.separator', this.keySeparator],
        ['headers.delimiter', this.headersDelimiter],
        ['headers.separator', this.headersSeparator],
        ['headers.key.separator', this.headersKeySeparator],
      ] as const) {
        if (value === this.nullMarker)
          throw new LineFormatError(`null.marker and ${name} may not be equal`);
      }
    }
    if (this.parseHeaders && this.headersSeparator.includes(this.headersKeySeparator))
      throw new LineFormatError('headers.key.separator and headers.separator may not be equal');
  }

  /** The record of one line (without its line end). */
  read(line: string): LineRecord {
    this.lineNumber += 1;
    const headers = this.part(this.parseHeaders, line, 0, this.headersDelimiter, 'headers delimiter');
    const headerOffset = headers === null ? 0 : headers.length + this.headersDelimiter.length;
    const key = this.part(this.parseKey, line, headerOffset, this.keySeparator, 'key separator');
    const keyOffset = key === null ? 0 : key.length + this.keySeparator.length;
    const value = line.substring(headerOffset + keyOffset);
    return {
      key: key === null || key === this.nullMarker ? null : Buffer.from(key, 'utf8'),
      value: value === this.nullMarker ? null : Buffer.from(value, 'utf8'),
      headers: headers === null || headers === this.nullMarker ? [] : this.splitHeaders(headers),
    };
  }

  private part(enabled: boolean, line: string, start: number, demarcation: string, name: string): string | null {
    if (!enabled) return null;
    const index = line.indexOf(demarcation, start);
    if (index < 0) {
      if (this.ignoreError) return null;
      throw new LineFormatError(`No ${name} found on line number ${this.lineNumber}: '${line}'`);
    }
    return line.substring(start, index);
  }

  private splitHeaders(headers: string): { key: string; value: Buffer | null }[] {
    return headers.split(this.headersSeparator).map((pair) => {
      const i = pair.indexOf(this.headersKeySeparator);
      if (i < 0) {
        if (this.ignoreError) return { key: pair, value: null };
        throw new LineFormatError(`No header key separator found in pair '${pair}' on line number ${this.lineNumber}`);
      }
      const key = pair.substring(0, i);
      if (key === this.nullMarker)
        throw new LineFormatError(`Header keys should not be equal to the null marker '${this.nullMarker}' as they can't be null`);
      const value = pair.substring(i + this.headersKeySeparator.length);
      return { key, value: value === this.nullMarker ? null : Buffer.from(value, 'utf8') };
    });
  }
}
