/**
 * Escapes the five XML special characters so any string can be used as element
 * text or as an attribute value. `&` first, so existing entities are not re-read.
 */
export function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * Quotes one argument for a Windows command line so that the MSVCRT /
 * `CommandLineToArgvW` parser (which node.exe uses) gives back exactly `arg`.
 * Left bare when it has no space, tab or quote and is not empty; otherwise wrapped
 * in quotes, with `"` written as `\"` and backslashes doubled only where they
 * precede a quote (including the closing one). `always` forces the quotes.
 */
export function quoteWindowsArg(arg: string, always = false): string {
  if (!always && arg.length > 0 && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes += 1;
      continue;
    }
    if (ch === '"') {
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(backslashes) + ch;
    }
    backslashes = 0;
  }
  // Backslashes before the closing quote must be doubled or they would escape it.
  out += '\\'.repeat(backslashes * 2) + '"';
  return out;
}
