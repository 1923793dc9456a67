import { describe, expect, it } from '@jest/globals';
import { parseUserFields, tenantSpec } from './schema.ts';
import { InvalidTenantError } from './errors.ts';

describe('parseUserFields', () => {
  it('accepts a record with nothing but a tenant id, and fills the defaults', () => {
    expect(tenantSpec(parseUserFields({ tenantId: 'ny' }))).toEqual({
      tenantId: 'ny',
      displayName: 'New York',
      desiredState: 'ACTIVE',
      desiredCount: 2,
      purgeData: false,
      canary: false,
    });
  });

  it('keeps what the user wrote over the defaults', () => {
    const spec = tenantSpec(parseUserFields({ tenantId: 'demo', displayName: 'Demo', desiredCount: 3, desiredState: 'DELETED', purgeData: true }));
    expect(spec).toMatchObject({ displayName: 'Demo', desiredCount: 3, desiredState: 'DELETED', purgeData: true });
  });

  it('names every problem of a record at once, field by field', () => {
    const attempt = () => parseUserFields({ tenantId: 'CA', desiredCount: 11, desiredState: 'GONE', purgeData: 'yes' });
    expect(attempt).toThrow(InvalidTenantError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('tenantId: tenantId "CA" must start with a lowercase letter');
      expect(message).toContain('desiredCount: desiredCount must be at most 10');
      expect(message).toContain('desiredState: desiredState must be one of ACTIVE, DELETED');
      expect(message).toContain('purgeData: purgeData must be true or false');
    }
  });

  it('rejects what is not an object with an example of what is', () => {
    expect(() => parseUserFields('ca')).toThrow('a tenant must be a JSON object such as {"tenantId": "ca"}');
    expect(() => parseUserFields(null)).toThrow(InvalidTenantError);
  });

  it('rejects a fractional or zero count', () => {
    expect(() => parseUserFields({ tenantId: 'ca', desiredCount: 1.5 })).toThrow('desiredCount must be a whole number');
    expect(() => parseUserFields({ tenantId: 'ca', desiredCount: 0 })).toThrow('desiredCount must be at least 1');
  });
});

describe('identityProvider', () => {
  const idp = {
    issuer: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
    clientId: 'humangov-ca',
    clientSecretArn: 'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:humangov/ca/oidc-AbCdEf',
  };

  it('accepts the issuer, the client id and the ARN of the client secret (GovCloud too)', () => {
    expect(parseUserFields({ tenantId: 'ca', identityProvider: idp })).toEqual({ tenantId: 'ca', identityProvider: idp });
  });

  it('refuses a client secret written into the record, saying where it goes', () => {
    expect(() => parseUserFields({ tenantId: 'ca', identityProvider: { ...idp, clientSecret: 's3cr3t' } })).toThrow(/Secrets Manager/);
  });

  it.each([
    ['a plain-HTTP issuer', { ...idp, issuer: 'http://idp.example' }, /identityProvider\.issuer must be an https URL/],
    ['an empty client id', { ...idp, clientId: ' ' }, /identityProvider\.clientId must not be empty/],
    ['a secret where its ARN belongs', { ...idp, clientSecretArn: 's3cr3t' }, /identityProvider\.clientSecretArn must be a Secrets Manager secret ARN/],
    ['an SSM parameter ARN', { ...idp, clientSecretArn: 'arn:aws:ssm:us-east-1:123456789012:parameter/x' }, /Secrets Manager secret ARN/],
  ])('refuses %s with a message naming the field', (_, identityProvider, message) => {
    expect(() => parseUserFields({ tenantId: 'ca', identityProvider })).toThrow(message);
  });
});
