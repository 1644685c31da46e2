/**
 * What every import page does with its file: choosing one runs a dry run at
 * once (nothing written), the report counts what each kind would create,
 * change or leave, and the import is offered only when no row is refused and
 * something would change. The page gives the upload and its kinds.
 */
import { computed, type Ref, ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { errorKey } from '../../errors.ts';
import { ElMessage } from '../elementPlus.ts';

interface KindCounts {
  create: number;
  update: number;
  unchanged: number;
}

/** The report fields this composable reads (the organisation's and the resources' reports have them). */
export interface FileImportReport<K extends string> {
  file: string;
  committed: boolean;
  errors: readonly unknown[];
  counts: Record<K, KindCounts>;
}

export function useFileImport<K extends string, R extends FileImportReport<K>>(opts: {
  kinds: readonly K[];
  upload: (file: File, commit: boolean) => Promise<R>;
  /** The message key of the "imported" toast ({file}). */
  doneKey: string;
  /** After a commit that wrote (e.g. to show passwords once). */
  onCommitted?: (report: R) => void;
  /** When another file is chosen. */
  onChosen?: () => void;
}) {
  const { t } = useI18n();
  const file = ref<File | null>(null);
  const report = ref(null) as Ref<R | null>;
  const busy = ref(false);

  const counts = computed(() =>
    report.value ? opts.kinds.map((kind) => ({ kind, ...(report.value as R).counts[kind] })) : [],
  );
  const changing = computed(() => counts.value.reduce((n, c) => n + c.create + c.update, 0));
  const canCommit = computed(() => report.value !== null && report.value.errors.length === 0 && changing.value > 0);

  async function run(commit: boolean): Promise<void> {
    if (!file.value) return;
    busy.value = true;
    try {
      const answer = await opts.upload(file.value, commit);
      report.value = answer;
      if (answer.committed) {
        opts.onCommitted?.(answer);
        ElMessage.success(t(opts.doneKey, { file: answer.file }));
      }
    } catch (error) {
      report.value = null;
      ElMessage.error(t(errorKey(error)));
    } finally {
      busy.value = false;
    }
  }

  function chosen(upload: { raw?: File }): void {
    if (!upload.raw) return;
    file.value = upload.raw;
    opts.onChosen?.();
    void run(false);
  }

  return { file, report, busy, counts, changing, canCommit, run, chosen };
}
