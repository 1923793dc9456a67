'use strict';

/**
 * Every function here has its own least-privilege role
 * (serverless-iam-roles-per-function), yet the framework still emits its
 * shared default role. This removes that role when no function uses it, so the
 * stack holds no role with permissions nobody needs.
 */
class PruneDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.prune() };
  }

  prune() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const resources = template.Resources;
    if (!resources.IamRoleLambdaExecution) return;
    const text = JSON.stringify({ ...resources, IamRoleLambdaExecution: undefined }) + JSON.stringify(template.Outputs || {});
    if (text.includes('"IamRoleLambdaExecution"')) return;
    delete resources.IamRoleLambdaExecution;
  }
}

module.exports = PruneDefaultRole;
