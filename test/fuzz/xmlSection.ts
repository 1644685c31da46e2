export async function xmlSection(..._a: unknown[]): Promise<boolean> {
  return true;
}
