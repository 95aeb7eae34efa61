/**
 * The page: subscribes to /api/stream (server-sent events; the browser reconnects by itself),
 * renders each view into fixed slots, and marks the page stale when no view came for a while.
 * Filters live here, so a new view never resets them.
 */
import type { ClusterViewModel } from '../model/viewModel';
import { clock } from './format.js';
import * as render from './render.js';

const STALE_AFTER_MS = 4000;
/** Types offered as filters before any such event has happened (the metrics contract's list). */
const KNOWN_EVENT_TYPES = [
  'ControllerElected',
  'ControllerResigned',
  'BrokerJoined',
  'BrokerLost',
  'LeaderElected',
  'IsrShrunk',
  'IsrExpanded',
  'TopicCreated',
  'TopicDeletionStarted',
  'TopicDeleted',
];

const hiddenEventTypes = new Set<string>();
const eventTypes = new Set<string>(KNOWN_EVENT_TYPES);
let latest: ClusterViewModel | null = null;
let lastViewAtMs = 0;

function slot(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el;
}

/** Replaces a slot's content only when it changed (keeps scroll positions and hovers). */
function patch(id: string, html: string): void {
  const el = slot(id);
  if (el.dataset.html !== html) {
    el.innerHTML = html;
    el.dataset.html = html;
  }
}

function partitionFilter(): render.PartitionFilter {
  return {
    text: (slot('partition-filter') as HTMLInputElement).value.trim(),
    problemsOnly: (slot('problems-only') as HTMLInputElement).checked,
    internal: (slot('show-internal') as HTMLInputElement).checked,
  };
}

function renderView(view: ClusterViewModel): void {
  document.body.dataset.health = view.health;
  patch('health', render.healthBadge(view));
  patch('controller', render.controllerText(view));
  patch('zookeeper', render.zookeeperText(view));
  patch('alerts', render.alerts(view));
  patch('tiles', render.tiles(view));
  patch('brokers', render.brokers(view));
  const charts = render.charts(view, view.generatedAtMs);
  for (const [name, html] of Object.entries(charts)) patch(`chart-${name}`, html);
  renderTopics(view);
  patch('groups', render.groups(view.groups));
  for (const e of view.events) eventTypes.add(e.type);
  patch('event-filters', render.eventTypeFilters([...eventTypes].sort(), hiddenEventTypes));
  patch('events', render.timeline(view.events, hiddenEventTypes));
}

function renderTopics(view: ClusterViewModel): void {
  const filter = partitionFilter();
  patch('topics', render.topics(view, filter));
  patch('partitions', render.partitions(view, filter));
}

function updateFreshness(): void {
  const banner = slot('connection');
  const stale = Date.now() - lastViewAtMs > STALE_AFTER_MS;
  banner.hidden = !stale;
  document.body.classList.toggle('stale', stale);
  if (latest !== null) {
    slot('updated').textContent = `updated ${clock(latest.generatedAtMs)}`;
  }
}

function onView(view: ClusterViewModel): void {
  latest = view;
  lastViewAtMs = Date.now();
  renderView(view);
  updateFreshness();
}

function connect(): void {
  const source = new EventSource('/api/stream');
  source.onmessage = (message: MessageEvent<string>) => onView(JSON.parse(message.data) as ClusterViewModel);
}

function wireControls(): void {
  for (const id of ['partition-filter', 'problems-only', 'show-internal']) {
    slot(id).addEventListener('input', () => latest !== null && renderTopics(latest));
  }
  slot('event-filters').addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    const type = input.dataset.eventFilter;
    if (type === undefined) return;
    if (input.checked) hiddenEventTypes.delete(type);
    else hiddenEventTypes.add(type);
    if (latest !== null) renderView(latest);
  });
}

wireControls();
connect();
setInterval(updateFreshness, 1000);
