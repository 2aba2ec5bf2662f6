import { sql } from 'slonik';

/** Plain row objects as one `jsonb` parameter, for `jsonb_to_recordset` bulk statements. */
export const jsonRows = (rows: readonly unknown[]) => sql.jsonb(rows as Parameters<typeof sql.jsonb>[0]);
