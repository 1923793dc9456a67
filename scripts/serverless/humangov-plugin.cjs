'use strict';

const { readFileSync } = require('node:fs');
const { dirname, resolve } = require('node:path');

/**
 * The project's own steps in the framework's lifecycle.
 *
 * Before anything is built (`initialize`, for package and deploy):
 * 1. The stage and the deployment settings (params) are checked, and a bad one refuses the
 *    command with the rule it breaks and an example, instead of a stack that deploys and then
 *    fails at run time (every function checks its stage at initialisation).
 *
 * Just before the template is saved:
 * 2. State machines get their definition verbatim from statemachines/*.asl.json.
 *    The framework strips `null` properties from resources, and in ASL
 *    `"ResultPath": null` (discard the result) means the opposite of a missing
 *    ResultPath (replace the state's data with it). So a state machine names its
 *    file in `Metadata.DefinitionFile` and this sets `DefinitionString` to it: the
 *    file deployed is the file the tests run.
 * 3. Every function has its own least-privilege role
 *    (serverless-iam-roles-per-function), yet the framework still emits its
 *    shared default role; it is removed when no function uses it.
 *
 * Before a deploy changes the stack:
 * 4. A deploy that would remove the HTTPS listener or the tenants' DNS record from a stage that
 *    has them (run without the certificateArn or hostedZoneId it was deployed with) is refused,
 *    unless --force: removing the listener removes every tenant's routing rule with it.
 */

/** The same rule as src/tenants/tenant-id.ts (STAGE_PATTERN): stages appear in every resource name. */
const STAGE_PATTERN = /^[a-z][a-z0-9]{0,7}$/;
const ZONE_ID = /^[a-z]+[0-9]*-az[0-9]+$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,32}$/;
/** One address: a local part, "@", and a dotted domain; no spaces, commas or display names. */
const EMAIL = /^[^\s@,<>]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const FARGATE_REGIONS_PAGE = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate-Regions.html';

/** The partition a region belongs to (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html). */
function partitionOf(region) {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/** Returns the problem with the stage, phrased for the person who typed it, or undefined. */
function stageProblem(stage) {
  if (typeof stage === 'string' && STAGE_PATTERN.test(stage)) return undefined;
  return (
    `Stage "${stage}" is not valid: a stage is 1 to 8 lowercase letters or digits, starting with a letter ` +
    '(for example "dev", "prod" or "staging2"). It is part of every resource name (humangov-<stage>-tenants, ' +
    'target groups hg-<stage>-<tenant> within 32 characters). Run again with, for example, --stage prod.'
  );
}

/**
 * Every problem with the deployment settings, each saying what to pass instead.
 * `settings` is what serverless.yml resolved: custom.* and the region.
 */
function settingsProblems({
  region,
  stage,
  tenantDomain,
  hostedZoneId,
  certificateArn,
  maxConcurrency,
  failureThreshold,
  availabilityZoneIds,
  webAcl,
  insecure,
  alarmEmail,
}) {
  const problems = [];
  if (insecure !== undefined && !['true', 'false'].includes(String(insecure))) problems.push(`insecure "${insecure}" must be true or false`);
  if (!certificateArn && !hostedZoneId && String(insecure) !== 'true') {
    problems.push(
      `stage ${stage} has no HTTPS, so its load balancer could sign nobody in and would serve personnel records in the clear: ` +
        `give it hostedZoneId (the stack then requests a certificate for *.${tenantDomain} and validates it in that zone) or certificateArn, ` +
        `or, for a stage that never holds real records, mark it insecure with --param="insecure=true" (or params.${stage}.insecure: 'true' in serverless.yml)`,
    );
  }
  const zones = String(availabilityZoneIds || '')
    .split(',')
    .map((zone) => zone.trim())
    .filter(Boolean);
  if (zones.length === 0) {
    problems.push(
      `No availability zones are known for ${region}: pass two zone IDs where Fargate runs, for example ` +
        `--param="availabilityZoneIds=<id>,<id>" (see ${FARGATE_REGIONS_PAGE}; ` +
        '`aws ec2 describe-availability-zones` lists the IDs), or add the region to custom.fargateZoneIds in serverless.yml.',
    );
  } else if (zones.length !== 2 || !zones.every((zone) => ZONE_ID.test(zone)) || zones[0] === zones[1]) {
    problems.push(`availabilityZoneIds "${availabilityZoneIds}" must be two different zone IDs, such as "use1-az1,use1-az2"`);
  }
  if (!HOST_NAME.test(String(tenantDomain))) problems.push(`tenantDomain "${tenantDomain}" must be a DNS domain, such as tenants.example.gov`);
  if (hostedZoneId && !HOSTED_ZONE_ID.test(String(hostedZoneId))) {
    problems.push(`hostedZoneId "${hostedZoneId}" must be a Route 53 hosted zone ID, such as Z0123456789ABC`);
  }
  if (certificateArn) {
    const partition = partitionOf(region);
    const match = /^arn:([a-z-]+):acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]+$/.exec(String(certificateArn));
    if (!match)
      problems.push(`certificateArn "${certificateArn}" must be the ARN of an ACM certificate (arn:${partition}:acm:${region}:<account>:certificate/<id>)`);
    // A load balancer takes certificates from ACM in its own region only.
    else if (match[1] !== partition || match[2] !== region) {
      problems.push(
        `certificateArn "${certificateArn}" is in ${match[2]} (${match[1]}), but the stack deploys to ${region}: request or import the certificate in ${region}`,
      );
    }
  }
  // The image-deploy input refuses more than 100 (src/deployments/event.ts, MAX_CONCURRENCY_LIMIT): say so before deploying.
  if (!/^[1-9][0-9]*$/.test(String(maxConcurrency)) || Number(maxConcurrency) > 100)
    problems.push(`deployMaxConcurrency "${maxConcurrency}" must be a whole number from 1 to 100`);
  // Anything but "on" or "off" would silently leave the load balancer without its web ACL.
  if (webAcl !== undefined && !['on', 'off'].includes(String(webAcl))) problems.push(`webAcl "${webAcl}" must be on or off`);
  if (!/^[0-9]+$/.test(String(failureThreshold))) problems.push(`deployFailureThreshold "${failureThreshold}" must be a whole number of at least 0`);
  // SNS takes any string as an email endpoint and only fails to deliver; one address, said plainly, before deploying.
  if (alarmEmail && !EMAIL.test(String(alarmEmail))) problems.push(`alarmEmail "${alarmEmail}" must be one email address, such as oncall@example.gov`);
  return problems;
}

/** Resources a deploy must not drop by accident, and the setting whose absence drops them. */
const GUARDED = [
  { logicalId: 'HttpsListener', param: 'certificateArn', what: 'the HTTPS listener, and with it every tenant routing rule' },
  { logicalId: 'TenantWildcardRecord', param: 'hostedZoneId', what: 'the DNS record that sends every tenant host name to the load balancer' },
];

class HumanGovPlugin {
  constructor(serverless, options = {}, utils = {}) {
    this.serverless = serverless;
    this.options = options;
    this.log = utils.log;
    this.hooks = {
      initialize: () => this.checkSettings(),
      // After custom resources are merged and null properties stripped, before the template is saved.
      'before:aws:package:finalize:saveServiceState': () => this.finalize(),
      'before:deploy:deploy': () => this.guardRemovals(),
    };
  }

  fail(message) {
    throw new this.serverless.classes.Error(message);
  }

  checkSettings() {
    const service = this.serverless.service;
    const problem = stageProblem(this.options.stage ?? service.provider.stage ?? 'dev');
    if (problem) this.fail(problem);
    const commands = (this.serverless.processedInput && this.serverless.processedInput.commands) || [];
    if (!['package', 'deploy'].includes(commands[0]) || commands.length > 1) return;
    const custom = service.custom || {};
    const stage = this.options.stage ?? service.provider.stage ?? 'dev';
    const problems = settingsProblems({
      region: this.options.region ?? service.provider.region ?? 'us-east-1',
      stage,
      insecure: custom.insecure,
      tenantDomain: custom.tenantDomain,
      hostedZoneId: custom.hostedZoneId,
      certificateArn: custom.certificateArn,
      maxConcurrency: custom.deploy && custom.deploy.maxConcurrency,
      failureThreshold: custom.deploy && custom.deploy.failureThreshold,
      availabilityZoneIds: custom.availabilityZoneIds,
      alarmEmail: custom.alarmEmail,
      webAcl: custom.webAcl,
    });
    if (problems.length > 0) {
      this.fail(
        `The deployment settings have ${problems.length > 1 ? 'problems' : 'a problem'} (params in serverless.yml, or --param):\n- ${problems.join('\n- ')}`,
      );
    }
    if (!custom.certificateArn && !custom.hostedZoneId) {
      this.warn(`stage ${stage} is marked insecure: plain HTTP, nobody signs in (apps run with SIGN_IN=off). Never put real personnel records in it.`);
    }
  }

  warn(message) {
    if (this.log && this.log.warning) this.log.warning(message);
    else console.warn(`Warning: ${message}`);
  }

  finalize() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    this.inlineDefinitions(template.Resources);
    this.pruneDefaultRole(template);
  }

  inlineDefinitions(resources) {
    for (const [id, resource] of Object.entries(resources)) {
      const file = resource.Type === 'AWS::StepFunctions::StateMachine' && resource.Metadata && resource.Metadata.DefinitionFile;
      if (!file) continue;
      const path = resolve(this.serverless.serviceDir, file);
      let definition;
      try {
        definition = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new Error(`${id}: cannot read the state machine definition ${file}: ${error.message}`);
      }
      delete resource.Properties.Definition;
      resource.Properties.DefinitionString = JSON.stringify(definition);
    }
  }

  pruneDefaultRole(template) {
    const resources = template.Resources;
    if (!resources.IamRoleLambdaExecution) return;
    const others = { ...resources };
    delete others.IamRoleLambdaExecution;
    if (JSON.stringify([others, template.Outputs || {}]).includes('"IamRoleLambdaExecution"')) return;
    delete resources.IamRoleLambdaExecution;
  }

  async guardRemovals() {
    if (this.options.force) return;
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    if (!template || !template.Resources) return;
    const provider = this.serverless.getProvider('aws');
    const stackName = provider.naming.getStackName();
    const missing = GUARDED.filter(({ logicalId }) => !template.Resources[logicalId]);
    if (missing.length === 0) return;
    const cloudFormation = await provider.getCloudFormationClient();
    const { DescribeStackResourceCommand } = cloudFormationCommands();
    for (const { logicalId, param, what } of missing) {
      try {
        await cloudFormation.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }));
      } catch (error) {
        // CloudFormation answers a missing stack or resource with ValidationError, a code with no exception class of its own.
        if (error && error.name === 'ValidationError') continue;
        throw error;
      }
      this.fail(
        `Stack ${stackName} has ${logicalId}, but this deploy has no ${param}, so it would remove ${what}. ` +
          `Pin the stage's ${param} in serverless.yml (params.${provider.getStage()}.${param}) or pass --param="${param}=...", ` +
          'or run with --force if removing it is what you want.',
      );
    }
  }
}

/** The CloudFormation commands of the SDK the framework itself uses (it builds the client). */
function cloudFormationCommands() {
  const framework = dirname(require.resolve('serverless/package.json'));
  return require(require.resolve('@aws-sdk/client-cloudformation', { paths: [framework] }));
}

module.exports = HumanGovPlugin;
module.exports.stageProblem = stageProblem;
module.exports.settingsProblems = settingsProblems;
module.exports.STAGE_PATTERN = STAGE_PATTERN;
