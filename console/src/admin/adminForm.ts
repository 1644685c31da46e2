/**
 * The admin pages' logic without Vue or Element Plus (unit-tested in node):
 * the list query string, a form model from a row and a request body from a
 * form model, validation of one field against the protocol's patterns, and
 * where a refused request's error is shown (next to its field, or as a message).
 */
import { fieldOf } from '../api.ts';
import { toConsoleError } from '../errors.ts';
import type { FieldSpec, FormModel } from './adminKinds.ts';

export type FormMode = 'create' | 'edit';

export interface ListParams {
  q: string;
  page: number;
  pageSize: number;
  /** 'all', or only enabled / only disabled rows. */
  enabled: 'all' | 'true' | 'false';
}

/** `?q=&page=&pageSize=&enabled=` for GET /admin/<kind>, leaving out what is empty or 'all'. */
export function listQuery(params: ListParams): string {
  const search = new URLSearchParams();
  const q = params.q.trim();
  if (q) search.set('q', q);
  search.set('page', String(params.page));
  search.set('pageSize', String(params.pageSize));
  if (params.enabled !== 'all') search.set('enabled', params.enabled);
  return `?${search.toString()}`;
}

/** A field is shown (and sent) when its condition holds and, when editing, it is not fixed at creation. */
export function isShown(field: FieldSpec, form: FormModel, mode: FormMode): boolean {
  if (mode === 'edit' && field.createOnly) return false;
  return field.shownWhen ? field.shownWhen(form) : true;
}

export function isRequired(field: FieldSpec, form: FormModel): boolean {
  return field.requiredWhen ? field.requiredWhen(form) : Boolean(field.required);
}

/** The form model of a row (edit) or of the defaults (create): every value a string, '' for none. */
export function formFromRow(fields: readonly FieldSpec[], row?: Record<string, unknown>): FormModel {
  const form: FormModel = {};
  for (const field of fields) {
    const value = field.fromRow ? field.fromRow(row) : row?.[field.key];
    form[field.key] = value === null || value === undefined ? (field.default ?? '') : String(value);
  }
  return form;
}

/**
 * The POST/PATCH body of a form: shown fields by their kind (numbers as
 * numbers, an empty optional one as null or left out), hidden ones as null
 * (a unit the role no longer belongs to) or left out, form-only ones never.
 */
export function bodyFromForm(fields: readonly FieldSpec[], form: FormModel, mode: FormMode): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.formOnly || (mode === 'edit' && field.createOnly)) continue;
    if (!isShown(field, form, mode)) {
      if ((field.hidden ?? 'null') === 'null') body[field.key] = null;
      continue;
    }
    const text = (form[field.key] ?? '').trim();
    if (text === '') {
      const empty = field.empty ?? 'null';
      if (empty === 'null') body[field.key] = null;
      else if (empty === 'string') body[field.key] = '';
      continue;
    }
    if (field.toBody) body[field.key] = field.toBody(text);
    else body[field.key] = field.type === 'number' ? Number(text) : field.type === 'password' ? form[field.key] : text;
  }
  return body;
}

/** Why a field's value is refused, as a message key under admin.invalid, or null when it is fine. */
export function fieldProblem(field: FieldSpec, form: FormModel, mode: FormMode = 'edit'): string | null {
  const text = (form[field.key] ?? '').trim();
  if (text === '') return isRequired(field, form) ? 'required' : null;
  if (field.type === 'number') {
    const n = Number(text);
    if (!Number.isFinite(n)) return 'number';
    if (field.min !== undefined && n < field.min) return 'range';
    if (field.max !== undefined && n > field.max) return 'range';
    return null;
  }
  if (field.minLength !== undefined && text.length < field.minLength) return 'tooShort';
  if (field.pattern && !field.pattern.test(text)) return field.patternMessage ?? 'pattern';
  if (mode === 'create' && field.createPattern && !field.createPattern.test(text)) {
    return field.createPatternMessage ?? field.patternMessage ?? 'pattern';
  }
  if (field.accepts && !field.accepts(text)) return field.patternMessage ?? 'pattern';
  return null;
}

export interface ShownError {
  /** The form field the server named, when the form shows it. */
  field: string | null;
  /** i18n key: admin.serverError.conflict, or errors.<code>. */
  key: string;
  /** The server's own text (bilingual for bad_request), shown next to a field. */
  detail: string;
}

/**
 * Where a refused save is shown: `conflict` and `bad_request` naming a field
 * the form shows go next to that field ('townshipId.x' names townshipId);
 * everything else is a message.
 */
export function placeServerError(error: unknown, shownFields: readonly string[]): ShownError {
  const coded = toConsoleError(error);
  const named = fieldOf(error)?.split('.')[0];
  const field = named && shownFields.includes(named) ? named : null;
  const key = coded.code === 'conflict' ? 'admin.serverError.conflict' : `errors.${coded.code}`;
  return {
    field: coded.code === 'conflict' || coded.code === 'bad_request' ? field : null,
    key,
    detail: coded.message,
  };
}

/** The text under a field: "already taken" for a conflict, the server's own reason for a bad request. */
export function fieldErrorText(shown: ShownError, t: (key: string) => string): string {
  return shown.key === 'errors.bad_request' ? shown.detail : t(shown.key);
}
