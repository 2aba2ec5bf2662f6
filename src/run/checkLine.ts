/** `OK   last daily run: …`, `FAIL missed days: … — what to do`: one line per check. */
export function checkLine(c: { status: string; message: string; action: string | null }, label: string): string {
  return `${c.status.padEnd(4)} ${label}: ${c.message}${c.action ? ` — ${c.action}` : ''}`;
}
