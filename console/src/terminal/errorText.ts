/** The message for an error code: the terminal's own strings for codes the shared table lacks yet, else `errors.*`. */
import type { ClientErrorCode } from '../errors.ts';

type Translate = (key: string) => string;
type Exists = (key: string) => boolean;

export function errorText(t: Translate, te: Exists, code: ClientErrorCode | null): string {
  const key = code ?? 'internal';
  if (te(`terminal.errors.${key}`)) return t(`terminal.errors.${key}`);
  if (te(`errors.${key}`)) return t(`errors.${key}`);
  return key;
}
