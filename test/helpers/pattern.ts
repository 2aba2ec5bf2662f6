/** `text` escaped for a regular expression, so the pattern matches exactly `text`. */
export const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
