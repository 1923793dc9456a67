/// <reference lib="dom" />
/**
 * Deployments newest first, each a compact timeline: image and status, when it
 * ran, then the canary and each wave with every tenant's outcome, and why a
 * tenant failed or was skipped. (Served as the factory's own text: see client.ts.)
 */
import type { DashboardDom } from './dom.ts';
import type { DashboardLogic } from './logic.ts';
import type { DeploymentDetail, DeploymentSummary } from './types.ts';

export function deploymentsView(logic: DashboardLogic, dom: DashboardDom) {
  const { h } = dom;

  function when(deployment: DeploymentSummary, nowMs: number): HTMLElement {
    const ended = deployment.endedAt
      ? [' · ended ', dom.time(deployment.endedAt, nowMs), ` · took ${logic.duration(deployment.startedAt, deployment.endedAt)}`]
      : [` · running for ${logic.duration(deployment.startedAt, new Date(nowMs).toISOString())}`];
    return h('p', { class: 'meta' }, 'Started ', dom.time(deployment.startedAt, nowMs), ...ended);
  }

  function stages(detail: DeploymentDetail): HTMLElement {
    return h(
      'ol',
      { class: 'stages' },
      logic.rolloutStages(detail).map((stage) =>
        h(
          'li',
          {},
          h('span', { class: 'stage' }, stage.label),
          h(
            'ul',
            { class: 'chips' },
            stage.tenants.map((result) => {
              const text = logic.outcomeText(result.outcome);
              const why = result.error ?? result.reason;
              return h(
                'li',
                { class: `chip tone-${text.tone}`, 'data-tenant': result.tenantId, 'data-outcome': result.outcome, title: why },
                h('span', { 'aria-hidden': 'true' }, text.symbol),
                ' ',
                dom.tenantLink(result.tenantId, result.tenantId, `${detail.deploymentId}:${result.tenantId}`),
                ` ${text.label}`,
              );
            }),
          ),
        ),
      ),
    );
  }

  /** Why each tenant that did not take the image did not: the line an operator acts on. */
  function problems(detail: DeploymentDetail): HTMLElement | null {
    const notable = detail.tenants.filter((result) => (result.outcome === 'FAILED' || result.outcome === 'ROLLED_BACK') && (result.error ?? result.reason));
    if (notable.length === 0) return null;
    return h(
      'ul',
      { class: 'problems' },
      notable.map((result) => h('li', {}, h('strong', {}, `${result.tenantId} ${logic.outcomeText(result.outcome).label}: `), result.error ?? result.reason)),
    );
  }

  function card(deployment: DeploymentSummary, detail: DeploymentDetail | undefined, nowMs: number): HTMLElement {
    const image = deployment.image;
    const status = h('span', {}, dom.pill(logic.deploymentTone(deployment.status), '', logic.humanize(deployment.status)));
    return h(
      'li',
      { 'data-deployment': deployment.deploymentId },
      h(
        'article',
        { 'aria-labelledby': `deployment-${deployment.deploymentId}` },
        h(
          'h3',
          { id: `deployment-${deployment.deploymentId}` },
          image ? image.tag : deployment.deploymentId,
          ' ',
          h('code', { class: 'digest', title: image?.digest ?? '' }, logic.shortDigest(image?.digest)),
          ' ',
          status,
        ),
        when(deployment, nowMs),
        h('p', { class: 'progress' }, logic.outcomeSummary(deployment.counts), deployment.reason ? ` — ${deployment.reason}` : ''),
        detail ? stages(detail) : h('p', { class: 'meta' }, 'Loading per-tenant progress…'),
        detail ? problems(detail) : null,
      ),
    );
  }

  function list(container: HTMLElement, deployments: readonly DeploymentSummary[], details: ReadonlyMap<string, DeploymentDetail>, nowMs: number): void {
    if (deployments.length === 0) {
      dom.replace(container, h('p', { class: 'empty' }, 'No deployments yet: pushing an image tagged v* starts one (locally, humangov push --tag v1.0.1).'));
      return;
    }
    dom.replace(
      container,
      h(
        'ol',
        { class: 'timeline' },
        deployments.map((deployment) => card(deployment, details.get(deployment.deploymentId), nowMs)),
      ),
    );
  }

  return { list };
}

export type DeploymentsView = ReturnType<typeof deploymentsView>;
