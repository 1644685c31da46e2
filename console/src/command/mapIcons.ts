/**
 * Marker HTML for Leaflet divIcons (inline SVG, no image files: Leaflet's
 * default icon URLs break under a bundler). Township markers carry their
 * presence as data attributes, which the e2e tests and the CSS both read.
 */
import type { IncidentView, TerminalPresence } from '@beacon/protocol';

export type VideoState = 'online' | 'meeting' | 'offline';
export type PhoneState = 'registered' | 'in_call' | 'unregistered';

export function videoState(p: TerminalPresence | undefined): VideoState {
  if (!p?.videoOnline) return 'offline';
  return p.inMeeting ? 'meeting' : 'online';
}

export function phoneState(p: TerminalPresence | undefined): PhoneState {
  if (!p?.phoneRegistered) return 'unregistered';
  return p.phoneInCall ? 'in_call' : 'registered';
}

/** The response levels' colours for SVG fills (CSS variables do not reach presentation attributes): --level-* in theme.css. */
export const LEVEL_COLOURS: Record<IncidentView['level'], string> = {
  I: '#c8102e',
  II: '#ef7d00',
  III: '#e6b800',
  IV: '#1f6fd1',
};

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const CAMERA =
  '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M3 6h12a2 2 0 0 1 2 2v1.5l4-2.5v10l-4-2.5V16a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z"/></svg>';
const PHONE =
  '<svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true"><path fill="currentColor" d="M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/></svg>';

export function townshipMarkerHtml(id: string, label: string): string {
  return `<div class="tw-marker" data-testid="township-marker-${escapeHtml(id)}" data-video="offline" data-phone="unregistered" data-highlight="false">
  <span class="tw-video">${CAMERA}</span><span class="tw-phone">${PHONE}</span>
  <span class="tw-label">${escapeHtml(label)}</span></div>`;
}

export function incidentMarkerHtml(incident: IncidentView): string {
  const colour = LEVEL_COLOURS[incident.level];
  return `<div class="incident-marker" data-testid="incident-marker-${escapeHtml(incident.id)}" data-level="${incident.level}" data-status="${incident.status}" title="${escapeHtml(incident.title)}">
  <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true"><path fill="${colour}" stroke="#fff" stroke-width="1.5" d="M12 2 23 21H1z"/><path fill="#fff" d="M11 9h2v6h-2zm0 7.5h2v2h-2z"/></svg></div>`;
}
