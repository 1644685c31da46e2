/** A process's open file descriptors by kind (socket, pipe, anon_inode, file…), from procfs: where a leak of fds is. */
import { readdir, readlink } from 'node:fs/promises';

export async function fdKinds(pid: number): Promise<Record<string, number>> {
  const kinds: Record<string, number> = {};
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => 'gone');
    const kind = target.startsWith('/')
      ? target.split('/').slice(0, 3).join('/') || target
      : target.replace(/\[.*$/, '');
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}
