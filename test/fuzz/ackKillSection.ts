export async function ackKillSection(..._a: unknown[]): Promise<boolean> {
  return true;
}
