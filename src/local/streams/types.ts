/**
 * The DynamoDB stream event as Lambda delivers it (the `DynamoDBStreamEvent` of
 * @types/aws-lambda, spelled out here because src/ does not import Lambda types;
 * the tests prove the two are assignable). Attribute values are in DynamoDB's
 * wire JSON, so binary values are base64 strings, exactly as Lambda hands them over.
 */
type Merge<T> = [{ [K in keyof T]: T[K] }][number];
/** Exactly one of T's properties is present (an attribute value has one type). */
type OneOf<T, P = keyof T> = P extends keyof T ? Merge<{ [K in P]: T[K] } & { [K in Exclude<keyof T, P>]?: never }> : never;

export type AttributeValueJson = OneOf<{
  S: string;
  N: string;
  B: string;
  SS: string[];
  NS: string[];
  BS: string[];
  M: Record<string, AttributeValueJson>;
  L: AttributeValueJson[];
  NULL: boolean;
  BOOL: boolean;
}>;

export type ItemJson = Record<string, AttributeValueJson>;

export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  eventSourceARN: string;
  dynamodb: {
    /** Seconds since the epoch, as DynamoDB Streams reports it. */
    ApproximateCreationDateTime: number;
    Keys: ItemJson;
    NewImage?: ItemJson;
    OldImage?: ItemJson;
    /** Increasing, zero-padded: comparing two as strings orders them. */
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: 'NEW_AND_OLD_IMAGES';
  };
}

export interface StreamEvent {
  Records: StreamRecord[];
}

/** Lambda's partial batch response (ReportBatchItemFailures): identifiers are SequenceNumbers. */
export interface StreamBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What the event source mapping invokes; returning nothing means every record succeeded. */
export type StreamHandler = (event: StreamEvent) => Promise<StreamBatchResponse | void>;
