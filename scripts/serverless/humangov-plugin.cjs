'use strict';

const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');

/**
 * Two corrections to what the framework compiles, made just before the template is saved:
 *
 * 1. State machines get their definition verbatim from statemachines/*.asl.json.
 *    The framework strips `null` properties from resources, and in ASL
 *    `"ResultPath": null` (discard the result) means the opposite of a missing
 *    ResultPath (replace the state's data with it). So a state machine names its
 *    file in `Metadata.DefinitionFile` and this sets `DefinitionString` to it: the
 *    file deployed is the file the tests run.
 * 2. Every function has its own least-privilege role
 *    (serverless-iam-roles-per-function), yet the framework still emits its
 *    shared default role; it is removed when no function uses it.
 */
class HumanGovPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    // After custom resources are merged and null properties stripped, before the template is saved.
    this.hooks = { 'before:aws:package:finalize:saveServiceState': () => this.finalize() };
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
}

module.exports = HumanGovPlugin;
