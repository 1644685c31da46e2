import { onMounted, type Ref, watch } from 'vue';

/** Keeps a <video>/<audio> element playing `track` (null clears it). */
export function useTrackSource(element: Ref<HTMLMediaElement | null>, track: () => MediaStreamTrack | null): void {
  const attach = () => {
    const el = element.value;
    if (!el) return;
    const current = track();
    const shown = (el.srcObject as MediaStream | null)?.getTracks()[0] ?? null;
    if (shown === current) return;
    el.srcObject = current ? new MediaStream([current]) : null;
    if (current) el.play().catch(() => undefined);
  };
  onMounted(attach);
  watch([element, track], attach);
}
