/**
 * Amazon Cognito user pools as the API reference documents them, behind a mocked client
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/):
 * - CreateUserPoolClient makes a new client with a new id on every call, whatever its name (names
 *   are not unique); with GenerateSecret it has a ClientSecret (API_CreateUserPoolClient.html);
 * - ListUserPoolClients pages by MaxResults (1 to 60) and NextToken (API_ListUserPoolClients.html);
 * - UpdateUserPoolClient sets every attribute it is not given to its default ("If you don't provide
 *   a value for an attribute, Amazon Cognito sets it to its default value", API_UpdateUserPoolClient.html);
 * - Describe/Update/DeleteUserPoolClient answer ResourceNotFoundException for a missing client;
 * - CreateGroup answers GroupExistsException for a name the pool has; DeleteGroup
 *   ResourceNotFoundException for one it has not (API_CreateGroup.html, API_DeleteGroup.html);
 * - throttling is TooManyRequestsException (CommonErrors and each operation's Errors).
 */
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  DeleteGroupCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  GroupExistsException,
  InvalidParameterException,
  ListUserPoolClientsCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateUserPoolClientCommand,
  type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';

const $metadata = {};
export const USER_POOL_ID = 'us-east-1_TeSt12345';
export const USER_POOL_ARN = `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${USER_POOL_ID}`;

export class CognitoModel {
  readonly client = new CognitoIdentityProviderClient({ region: 'us-east-1' });
  /** In creation order, as ListUserPoolClients answers. */
  readonly clients: UserPoolClientType[] = [];
  readonly groups = new Set<string>();
  /** The mocked client, whose calls a test may read (`mock.commandCalls(Command)`). */
  readonly mock = mockClient(this.client);
  #seq = 0;

  constructor(options: { throttling?: boolean } = {}) {
    const mock = this.mock;
    if (options.throttling) {
      mock.onAnyCommand().rejects(new TooManyRequestsException({ message: 'Too many requests', $metadata }));
      return;
    }
    mock.on(CreateUserPoolClientCommand).callsFake((input) => {
      this.#pool(input.UserPoolId);
      const { GenerateSecret, ...attributes } = input;
      const client: UserPoolClientType = {
        ...attributes,
        ClientId: `${(++this.#seq).toString(36).padStart(26, '0')}`,
        ...(GenerateSecret ? { ClientSecret: `secret-${this.#seq}` } : {}),
      };
      this.clients.push(client);
      return { UserPoolClient: client };
    });
    mock.on(ListUserPoolClientsCommand).callsFake((input) => {
      this.#pool(input.UserPoolId);
      const size = input.MaxResults ?? 60;
      if (size < 1 || size > 60) throw new InvalidParameterException({ message: 'MaxResults must be between 1 and 60', $metadata });
      const start = Number(input.NextToken ?? 0);
      const page = this.clients.slice(start, start + size);
      return {
        UserPoolClients: page.map(({ ClientId, ClientName, UserPoolId }) => ({ ClientId, ClientName, UserPoolId })),
        ...(start + size < this.clients.length ? { NextToken: String(start + size) } : {}),
      };
    });
    mock.on(DescribeUserPoolClientCommand).callsFake((input) => ({ UserPoolClient: this.#client(input.UserPoolId, input.ClientId) }));
    mock.on(UpdateUserPoolClientCommand).callsFake((input) => {
      const current = this.#client(input.UserPoolId, input.ClientId);
      // Only what the request gives survives: every other attribute returns to its default (absent).
      const updated: UserPoolClientType = { ...input, ClientId: current.ClientId, ...(current.ClientSecret ? { ClientSecret: current.ClientSecret } : {}) };
      this.clients.splice(this.clients.indexOf(current), 1, updated);
      return { UserPoolClient: updated };
    });
    mock.on(DeleteUserPoolClientCommand).callsFake((input) => {
      const current = this.#client(input.UserPoolId, input.ClientId);
      this.clients.splice(this.clients.indexOf(current), 1);
      return {};
    });
    mock.on(CreateGroupCommand).callsFake((input) => {
      this.#pool(input.UserPoolId);
      if (this.groups.has(input.GroupName ?? '')) throw new GroupExistsException({ message: 'A group with the name already exists', $metadata });
      this.groups.add(input.GroupName ?? '');
      return { Group: { GroupName: input.GroupName, UserPoolId: input.UserPoolId } };
    });
    mock.on(DeleteGroupCommand).callsFake((input) => {
      this.#pool(input.UserPoolId);
      if (!this.groups.delete(input.GroupName ?? '')) throw new ResourceNotFoundException({ message: 'Group not found', $metadata });
      return {};
    });
  }

  #pool(id: string | undefined): void {
    if (id !== USER_POOL_ID) throw new ResourceNotFoundException({ message: `User pool ${id} does not exist.`, $metadata });
  }

  #client(poolId: string | undefined, clientId: string | undefined): UserPoolClientType {
    this.#pool(poolId);
    const client = this.clients.find((candidate) => candidate.ClientId === clientId);
    if (!client) throw new ResourceNotFoundException({ message: `User pool client ${clientId} does not exist.`, $metadata });
    return client;
  }
}
