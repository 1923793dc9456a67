import { isIP } from 'node:net';
import { ConfigError } from './errors.ts';

export interface AppConfig {
  /** Display name of the state this tenant serves, e.g. "California". */
  readonly usState: string;
  readonly awsRegion: string;
  readonly tableName: string;
  readonly bucketName: string;
  readonly port: number;
  /**
   * The address to listen on: every interface by default, as in a container, where only the
   * task's own network reaches it; the local provider runs the app on the host and passes
   * 127.0.0.1, so only the load balancer on this machine reaches it.
   */
  readonly listenHost: string;
  readonly tenantId: string;
  /** Opaque image reference echoed by /health so the control plane can verify a rollout. */
  readonly appImage: string;
  readonly csrfSecret: string;
  readonly maxUploadBytes: number;
  /** Endpoint overrides (local stand-ins); undefined means the SDK's regional default. */
  readonly dynamodbEndpoint: string | undefined;
  readonly s3Endpoint: string | undefined;
  readonly logLevel: string;
  /**
   * Who may use the app: the load balancer's sign-in, checked on every request but the probes.
   * Undefined only when SIGN_IN=off says so (a stage without HTTPS, where an ALB cannot sign anyone in).
   */
  readonly signIn: SignInConfig | undefined;
}

export interface SignInConfig {
  /** ALB_ARN: the load balancer whose signed `x-amzn-oidc-data` alone is believed. */
  readonly loadBalancerArn: string;
  /** SIGN_IN_ISSUER: the state's IdP, or the stack's user pool (its issuer URL). */
  readonly issuer: string;
  /** SIGN_IN_GROUP: the group a person must be in, where the IdP serves several states. */
  readonly group: string | undefined;
  /** ALB_PUBLIC_KEY_ENDPOINT: where the signing keys are (`<endpoint>/<kid>`); unset, the region's own. */
  readonly publicKeyEndpoint: string | undefined;
  /** SIGN_OUT_URL: the IdP's logout page, where sign-out sends the person after ending the session. */
  readonly signOutUrl: string | undefined;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_LISTEN_HOST = '0.0.0.0';
export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MIN_CSRF_SECRET_LENGTH = 32;
const TENANT_ID_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the whole configuration from the environment and reports every problem at once
 * (one line each, naming the variable), so an operator fixes a task definition in one pass.
 */
export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const required = (name: string, hint: string): string => {
    const value = env[name]?.trim();
    if (!value) {
      problems.push(`${name} is required (${hint})`);
      return '';
    }
    return value;
  };

  const usState = required('US_STATE', 'the state\'s display name, e.g. "California"');
  const awsRegion = required('AWS_REGION', 'e.g. "us-east-1"');
  if (awsRegion && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(awsRegion)) {
    problems.push(`AWS_REGION must be an AWS region name such as "us-east-1", got "${awsRegion}"`);
  }
  const tableName = required('AWS_DYNAMODB_TABLE', "the tenant's DynamoDB table name");
  if (tableName && !/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    problems.push('AWS_DYNAMODB_TABLE must be 3-255 characters of letters, digits, "_", "-" or "."');
  }
  const bucketName = required('AWS_BUCKET', "the tenant's S3 bucket name");
  if (bucketName && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucketName)) {
    problems.push('AWS_BUCKET must be a valid S3 bucket name (3-63 lowercase letters, digits, "-" or ".")');
  }
  const tenantId = required('TENANT_ID', 'the tenant id, e.g. "ca"');
  if (tenantId && (!TENANT_ID_PATTERN.test(tenantId) || tenantId.length > 20 || tenantId.includes('--'))) {
    problems.push(`TENANT_ID must be 2-20 characters matching ${TENANT_ID_PATTERN.source} without "--", got "${tenantId}"`);
  }
  const csrfSecret = required('CSRF_SECRET', `a random string of at least ${MIN_CSRF_SECRET_LENGTH} characters shared by all replicas`);
  if (csrfSecret && csrfSecret.length < MIN_CSRF_SECRET_LENGTH) {
    problems.push(`CSRF_SECRET must be at least ${MIN_CSRF_SECRET_LENGTH} characters long, got ${csrfSecret.length}`);
  }

  const port = integerVariable(env, 'PORT', DEFAULT_PORT, 0, 65_535, problems);
  const listenHost = env.HOST?.trim() || DEFAULT_LISTEN_HOST;
  if (listenHost !== 'localhost' && isIP(listenHost) === 0) {
    problems.push(`HOST must be an IP address to listen on, such as 127.0.0.1 or 0.0.0.0, or localhost, got "${listenHost}"`);
  }
  const maxUploadBytes = integerVariable(env, 'MAX_UPLOAD_BYTES', DEFAULT_MAX_UPLOAD_BYTES, 1, 1024 * 1024 * 1024, problems);
  const dynamodbEndpoint = urlVariable(env, 'AWS_ENDPOINT_URL_DYNAMODB', problems);
  const s3Endpoint = urlVariable(env, 'AWS_ENDPOINT_URL_S3', problems);

  const signIn = signInVariables(env, problems);

  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    usState,
    awsRegion,
    tableName,
    bucketName,
    port,
    listenHost,
    tenantId,
    appImage: env.APP_IMAGE?.trim() || 'dev',
    csrfSecret,
    maxUploadBytes,
    dynamodbEndpoint,
    s3Endpoint,
    logLevel,
    signIn,
  };
}

/** ALB_ARN and SIGN_IN_ISSUER, or an explicit SIGN_IN=off: a forgotten variable never opens the app to everyone. */
function signInVariables(env: Env, problems: string[]): SignInConfig | undefined {
  const loadBalancerArn = env.ALB_ARN?.trim() ?? '';
  const mode = env.SIGN_IN?.trim() ?? '';
  if (mode !== '' && mode !== 'off') problems.push(`SIGN_IN must be "off" (nobody signs in) or unset, got "${mode}"`);
  if (mode === 'off') {
    if (loadBalancerArn) problems.push('ALB_ARN and SIGN_IN=off contradict each other: unset one');
    return undefined;
  }
  if (!loadBalancerArn) {
    problems.push('ALB_ARN is required (the load balancer that signs staff in; its signature alone is believed), or SIGN_IN=off where nobody signs in');
    return undefined;
  }
  if (!/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[^/]+\/[0-9a-f]+$/.test(loadBalancerArn)) {
    problems.push(
      `ALB_ARN must be an Application Load Balancer ARN (arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>), got "${loadBalancerArn}"`,
    );
  }
  const issuer = env.SIGN_IN_ISSUER?.trim() ?? '';
  if (!issuer) problems.push("SIGN_IN_ISSUER is required with ALB_ARN (the issuer URL of the state's identity provider or of the stack's user pool)");
  else if (!URL.canParse(issuer)) problems.push(`SIGN_IN_ISSUER must be a URL, got "${issuer}"`);
  return {
    loadBalancerArn,
    issuer,
    group: env.SIGN_IN_GROUP?.trim() || undefined,
    publicKeyEndpoint: urlVariable(env, 'ALB_PUBLIC_KEY_ENDPOINT', problems),
    signOutUrl: urlVariable(env, 'SIGN_OUT_URL', problems),
  };
}

function integerVariable(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

function urlVariable(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    problems.push(`${name} must be an http(s) URL, got "${raw}"`);
    return undefined;
  }
  return raw;
}
