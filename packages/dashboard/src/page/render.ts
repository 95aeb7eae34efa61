/**
 * The view model as HTML, one function per section. Each returns a string; main.ts swaps it in only
 * when it changed. Rows carry data-* attributes (ids, states) for styling and for the browser test.
 */
import type {
  BrokerRow,
  ClusterViewModel,
  GroupsView,
  PartitionRow,
  Severity,
  TimelineEvent,
  TopicRow,
} from '../model/viewModel';
import { lineChart } from './chart.js';
import { bytes, bytesRate, clock, count, duration, esc, list, millis, rate } from './format.js';

export const HISTORY_WINDOW_MS = 10 * 60_000;

const HEALTH_TEXT: Record<Severity, string> = {
  ok: 'HEALTHY',
  unknown: 'UNKNOWN',
  warning: 'DEGRADED',
  critical: 'CRITICAL',
};

export function healthBadge(view: ClusterViewModel): string {
  return `<span class="badge sev-${view.health}" data-health="${view.health}">${HEALTH_TEXT[view.health]}</span>`;
}

export function controllerText(view: ClusterViewModel): string {
  const { brokerId, epoch } = view.controller;
  const who = brokerId === null ? '<span class="sev-text-critical">none</span>' : `broker ${brokerId}`;
  return `Controller: <strong data-controller-id="${brokerId ?? ''}">${who}</strong> · epoch <strong>${epoch ?? '–'}</strong>`;
}

export function zookeeperText(view: ClusterViewModel): string {
  const zk = view.zookeeper;
  const state = zk.ok
    ? '<span class="sev-text-ok">connected</span>'
    : '<span class="sev-text-critical">unreachable</span>';
  return `ZooKeeper ${esc(zk.connect)}: ${state}`;
}

export function alerts(view: ClusterViewModel): string {
  if (view.alerts.length === 0) return '<li class="sev-ok">No problems detected</li>';
  return view.alerts.map((a) => `<li class="sev-${a.severity}">${esc(a.text)}</li>`).join('');
}

export function tiles(view: ClusterViewModel): string {
  const t = view.totals;
  const tile = (label: string, value: string, sev: Severity, id: string): string =>
    `<div class="tile sev-${sev}" data-tile="${id}"><div class="tile-value">${value}</div><div class="tile-label">${label}</div></div>`;
  return [
    tile(
      'brokers up',
      `${t.brokersUp} / ${t.brokers}`,
      t.brokersUp < t.brokers ? 'critical' : 'ok',
      'brokers',
    ),
    tile('topics', String(t.topics), 'ok', 'topics'),
    tile('partitions', String(t.partitions), 'ok', 'partitions'),
    tile(
      'under-replicated',
      String(t.underReplicated),
      t.underReplicated > 0 ? 'warning' : 'ok',
      'under-replicated',
    ),
    tile('offline', String(t.offline), t.offline > 0 ? 'critical' : 'ok', 'offline'),
    tile(
      'consumer groups',
      view.groups.status === 'ok' ? String(t.groups) : '–',
      groupsSeverity(view),
      'groups',
    ),
  ].join('');
}

/** Amber when groups could be read before and no longer can; grey when they never could. */
function groupsSeverity(view: ClusterViewModel): Severity {
  if (view.groups.status === 'ok') return 'ok';
  return view.groups.status === 'error' && view.groups.lastOkMs !== null ? 'warning' : 'unknown';
}

const BROKER_STATE_TEXT: Record<BrokerRow['state'], string> = {
  up: 'UP',
  unresponsive: 'NO ANSWER',
  down: 'DOWN',
};
const BROKER_STATE_SEV: Record<BrokerRow['state'], Severity> = {
  up: 'ok',
  unresponsive: 'warning',
  down: 'critical',
};

export function brokers(view: ClusterViewModel): string {
  if (view.brokers.length === 0) return '<tr><td colspan="14" class="empty">No brokers known yet</td></tr>';
  return view.brokers
    .map((b) => {
      const sev = BROKER_STATE_SEV[b.state];
      const title = b.metricsError === null ? '' : ` title="${esc(b.metricsError)}"`;
      const metrics =
        b.metricsUrl === null ? 'none' : `<a href="${esc(b.metricsUrl)}/metrics">${esc(b.metricsUrl)}</a>`;
      return (
        `<tr data-broker-id="${b.id}" data-state="${b.state}" data-controller="${b.isController}" data-has-metrics="${b.metricsUrl !== null}" class="row-${sev}">` +
        `<td class="num">${b.id}</td>` +
        `<td>${esc(b.endpoint ?? '–')}</td>` +
        `<td><span class="pill sev-${sev}"${title}>${BROKER_STATE_TEXT[b.state]}</span></td>` +
        `<td>${b.isController ? '<span class="pill ctl">CONTROLLER</span>' : ''}</td>` +
        `<td>${esc(b.version ?? '–')}</td>` +
        `<td class="num">${duration(b.uptimeMs)}</td>` +
        `<td class="num">${bytes(b.rssBytes)}</td>` +
        `<td class="num">${rate(b.requestsPerSec)}</td>` +
        `<td class="num">${bytesRate(b.bytesInPerSec)}</td>` +
        `<td class="num">${bytesRate(b.bytesOutPerSec)}</td>` +
        `<td class="num">${b.leaderCount} / ${b.replicaCount}</td>` +
        `<td class="small">${metrics}</td>` +
        `<td class="num">${b.openTransactions ?? '–'}</td>` +
        `<td class="num">${b.openTransactions ? duration(b.oldestOpenTransactionAgeMs) : '–'}</td>` +
        `</tr>`
      );
    })
    .join('');
}

export function charts(view: ClusterViewModel, nowMs: number): Record<string, string> {
  const s = view.series;
  const options = { timesMs: s.timesMs, nowMs, windowMs: HISTORY_WINDOW_MS };
  const last = (values: ReadonlyArray<number | null>): number | null => {
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
    return null;
  };
  return {
    bytes:
      lineChart(
        [
          { name: 'bytes in/s', cssClass: 'c1', values: s.bytesInPerSec },
          { name: 'bytes out/s', cssClass: 'c2', values: s.bytesOutPerSec },
        ],
        { ...options, format: (v) => bytes(v) },
      ) +
      `<div class="legend"><span class="c1">in ${bytesRate(last(s.bytesInPerSec))}</span> <span class="c2">out ${bytesRate(last(s.bytesOutPerSec))}</span></div>`,
    messages:
      lineChart([{ name: 'messages in/s', cssClass: 'c1', values: s.messagesInPerSec }], {
        ...options,
        format: count,
      }) + `<div class="legend"><span class="c1">${rate(last(s.messagesInPerSec))}</span></div>`,
    produce:
      lineChart([{ name: 'Produce p99', cssClass: 'c3', values: s.produceP99Ms }], {
        ...options,
        format: millis,
      }) + `<div class="legend"><span class="c3">p99 ${millis(last(s.produceP99Ms))}</span></div>`,
    fetch:
      lineChart([{ name: 'Fetch p99', cssClass: 'c4', values: s.fetchP99Ms }], {
        ...options,
        format: millis,
      }) + `<div class="legend"><span class="c4">p99 ${millis(last(s.fetchP99Ms))}</span></div>`,
  };
}

export interface PartitionFilter {
  readonly text: string;
  readonly problemsOnly: boolean;
  readonly internal: boolean;
}

const PARTITION_STATE_SEV: Record<PartitionRow['state'], Severity> = {
  ok: 'ok',
  'under-replicated': 'warning',
  offline: 'critical',
};

function topicVisible(t: Pick<TopicRow, 'name' | 'internal'>, f: PartitionFilter): boolean {
  return (f.internal || !t.internal) && (f.text === '' || t.name.includes(f.text));
}

export function topics(view: ClusterViewModel, f: PartitionFilter): string {
  const rows = view.topics.filter((t) => topicVisible(t, f) && (!f.problemsOnly || t.state !== 'ok'));
  if (rows.length === 0) return '<tr><td colspan="6" class="empty">No topics to show</td></tr>';
  return rows
    .map((t) => {
      const sev = PARTITION_STATE_SEV[t.state];
      const deleting = t.markedForDeletion ? ' <span class="pill sev-unknown">DELETING</span>' : '';
      return (
        `<tr data-topic-row="${esc(t.name)}" data-state="${t.state}" class="row-${sev}">` +
        `<td>${esc(t.name)}${deleting}</td><td class="num">${t.partitions}</td><td class="num">${t.replicationFactor}</td>` +
        `<td class="num">${t.underReplicated}</td><td class="num">${t.offline}</td>` +
        `<td><span class="pill sev-${sev}">${t.state.toUpperCase()}</span></td></tr>`
      );
    })
    .join('');
}

export function partitions(view: ClusterViewModel, f: PartitionFilter): string {
  const internal = new Set(view.topics.filter((t) => t.internal).map((t) => t.name));
  const rows = view.partitions.filter(
    (p) =>
      topicVisible({ name: p.topic, internal: internal.has(p.topic) }, f) &&
      (!f.problemsOnly || p.state !== 'ok'),
  );
  if (rows.length === 0) return '<tr><td colspan="7" class="empty">No partitions to show</td></tr>';
  return rows
    .map((p) => {
      const sev = PARTITION_STATE_SEV[p.state];
      const replicas = p.replicas
        .map((r) => `<span class="${p.outOfSync.includes(r) ? 'out-of-sync' : 'in-sync'}">${r}</span>`)
        .join(', ');
      return (
        `<tr data-topic="${esc(p.topic)}" data-partition="${p.partition}" data-leader="${p.leader}" data-state="${p.state}" class="row-${sev}">` +
        `<td>${esc(p.topic)}</td><td class="num">${p.partition}</td>` +
        `<td class="num">${p.leader < 0 ? '<span class="sev-text-critical">none</span>' : p.leader}</td>` +
        `<td class="num">${p.leaderEpoch ?? '–'}</td>` +
        `<td>${replicas}</td><td>${list(p.isr)}</td>` +
        `<td><span class="pill sev-${sev}">${p.state.toUpperCase()}</span></td></tr>`
      );
    })
    .join('');
}

export function groups(g: GroupsView): string {
  if (g.status === 'pending') return '<tr><td colspan="5" class="empty">Reading consumer groups…</td></tr>';
  if (g.groups.length === 0)
    return `<tr><td colspan="5" class="empty">${g.status === 'error' ? `Unavailable: ${esc(g.error)}` : 'No consumer groups'}</td></tr>`;
  return g.groups
    .map((group) => {
      const stable = group.state === 'Stable' || group.state === 'Empty';
      const lagRows = group.partitions
        .map(
          (p) =>
            `<tr data-group-partition="${esc(group.groupId)}/${esc(p.topic)}/${p.partition}"><td>${esc(p.topic)}-${p.partition}</td>` +
            `<td class="num">${count(p.committedOffset)}</td><td class="num">${count(p.logEndOffset)}</td><td class="num">${count(p.lag)}</td></tr>`,
        )
        .join('');
      const detail =
        group.error !== null
          ? `<div class="sev-text-warning">offsets unavailable: ${esc(group.error)}</div>`
          : lagRows === ''
            ? '<div class="muted">no committed offsets</div>'
            : `<table class="inner"><thead><tr><th>partition</th><th>committed</th><th>log end</th><th>lag</th></tr></thead><tbody>${lagRows}</tbody></table>`;
      return (
        `<tr data-group="${esc(group.groupId)}" data-state="${esc(group.state)}">` +
        `<td>${esc(group.groupId)}</td>` +
        `<td><span class="pill sev-${stable ? 'ok' : 'warning'}">${esc(group.state)}</span></td>` +
        `<td class="num" title="${esc(group.members.map((m) => `${m.clientId} ${m.clientHost}`).join('\n'))}">${group.members.length}</td>` +
        `<td class="num">${count(group.totalLag)}</td><td>${detail}</td></tr>`
      );
    })
    .join('');
}

/** Event types an operator most needs to see first get a colour. */
function eventSeverity(e: TimelineEvent): Severity {
  switch (e.type) {
    case 'BrokerLost':
    case 'ControllerResigned':
      return 'critical';
    case 'IsrShrunk':
      return 'warning';
    case 'LeaderElected':
      return e.reason === 'offline' ? 'warning' : 'unknown';
    default:
      return 'ok';
  }
}

export function timeline(events: readonly TimelineEvent[], hidden: ReadonlySet<string>, limit = 300): string {
  const shown = events.filter((e) => !hidden.has(e.type)).slice(0, limit);
  if (shown.length === 0) return '<li class="empty">No events</li>';
  return shown
    .map((e) => {
      const where =
        e.topic === null
          ? ''
          : ` <span class="tp">${esc(e.topic)}${e.partition === null ? '' : `-${e.partition}`}</span>`;
      const epoch =
        e.controllerEpoch === null ? '' : ` <span class="muted">epoch ${e.controllerEpoch}</span>`;
      const reason = e.reason === null ? '' : ` <span class="reason">${esc(e.reason)}</span>`;
      return (
        `<li data-event-type="${esc(e.type)}" data-broker-id="${e.brokerId}" data-reason="${esc(e.reason ?? '')}" data-topic="${esc(e.topic ?? '')}" class="ev sev-border-${eventSeverity(e)}">` +
        `<div class="ev-head"><time>${clock(e.timeMs, true)}</time> <span class="pill">broker ${e.brokerId}</span> ` +
        `<span class="ev-type sev-text-${eventSeverity(e)}">${esc(e.type)}</span>${reason}${where}${epoch}</div>` +
        `<div class="ev-detail">${esc(e.detail)}</div>` +
        (e.fields.length === 0
          ? ''
          : `<div class="ev-fields">${e.fields.map(([k, v]) => `${esc(k)}=${esc(v)}`).join(' ')}</div>`) +
        `</li>`
      );
    })
    .join('');
}

export function eventTypeFilters(types: readonly string[], hidden: ReadonlySet<string>): string {
  return types
    .map(
      (t) =>
        `<label><input type="checkbox" data-event-filter="${esc(t)}"${hidden.has(t) ? '' : ' checked'}> ${esc(t)}</label>`,
    )
    .join('');
}
