import { z } from 'zod';

/** Aggregations and the window (days) each covers; `null` = LATEST. */
export const AGGREGATIONS = {
  LATEST: null,
  AVG_7D: 7,
  AVG_30D: 30,
  SUM_7D: 7,
  MIN_7D: 7,
  MAX_7D: 7,
  COUNT_7D: 7,
} as const;
export type Aggregation = keyof typeof AGGREGATIONS;

/** A row of `fhq_calendar.test_signal_registry` as read. */
export const registryRowSchema = z.object({
  signal_key: z.string(),
  source_schema: z.string(),
  source_table: z.string(),
  source_column: z.string(),
  time_column: z.string().nullable(),
  aggregation: z.string(),
  description: z.string().nullable(),
});
export type RegistryRow = z.infer<typeof registryRowSchema>;

/** One column of a table or view, from `pg_catalog`. */
export const catalogColumnSchema = z.object({
  schema: z.string(),
  relation: z.string(),
  column: z.string(),
  type: z.string(),
  category: z.string(),
  /** Whether the connected role may read this column (schema USAGE and column SELECT). */
  readable: z.boolean(),
});
export type CatalogColumn = z.infer<typeof catalogColumnSchema>;

/** A registry row checked against the catalog: safe to turn into a quoted query. */
export interface SignalSource {
  key: string;
  schema: string;
  table: string;
  column: string;
  timeColumn: string | null;
  aggregation: Aggregation;
  /** What the value column holds, from its type category. */
  valueType: 'number' | 'boolean';
}

/** Schemas of PostgreSQL itself: never a signal source (they hold roles, password hashes, statistics). */
const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'pg_toast']);

const TIME_TYPES = new Set(['date', 'timestamp without time zone', 'timestamp with time zone']);

/**
 * Checks one registry row against the catalog: the aggregation is
 * one of {@link AGGREGATIONS}; the table or view, the value column and the time
 * column exist; the value column is numeric or boolean; the time column is a
 * date or timestamp; a source without a time column allows only LATEST; a
 * boolean column allows only LATEST and COUNT_7D; the source is not in a
 * system schema; the connected role may read
 * the columns used (sql/roles/02_grant_registry_sources.sql grants it).
 *
 * @returns the usable source, or a sentence saying what is wrong (pure; never throws).
 */
export function checkRegistryRow(row: RegistryRow, catalog: readonly CatalogColumn[]): SignalSource | { problem: string } {
  const where = `${row.source_schema}.${row.source_table}`;
  if (!Object.hasOwn(AGGREGATIONS, row.aggregation)) {
    return { problem: `aggregation ${JSON.stringify(row.aggregation)} is not one of ${Object.keys(AGGREGATIONS).join(', ')}` };
  }
  const aggregation = row.aggregation as Aggregation;
  if (SYSTEM_SCHEMAS.has(row.source_schema)) {
    return { problem: `source ${JSON.stringify(where)} is in a system schema; a signal must come from an ordinary table or view` };
  }
  const columns = catalog.filter((c) => c.schema === row.source_schema && c.relation === row.source_table);
  if (columns.length === 0) return { problem: `source ${JSON.stringify(where)} is not an existing table or view` };
  const value = columns.find((c) => c.column === row.source_column);
  if (!value) return { problem: `column ${JSON.stringify(row.source_column)} does not exist in ${where}` };
  let valueType: SignalSource['valueType'];
  if (value.category === 'N') valueType = 'number';
  else if (value.category === 'B') valueType = 'boolean';
  else return { problem: `column ${where}.${row.source_column} is ${value.type}; a signal must be numeric or boolean` };
  if (row.time_column !== null) {
    const time = columns.find((c) => c.column === row.time_column);
    if (!time) return { problem: `time_column ${JSON.stringify(row.time_column)} does not exist in ${where}` };
    if (!TIME_TYPES.has(time.type)) {
      return { problem: `time_column ${where}.${row.time_column} is ${time.type}; it must be a date or timestamp` };
    }
  } else if (aggregation !== 'LATEST') {
    return { problem: `aggregation ${aggregation} needs a time_column, and ${where} has none in the registry` };
  }
  const unreadable = [value, columns.find((c) => c.column === row.time_column)].filter((c) => c && !c.readable);
  if (unreadable.length > 0) {
    return {
      problem: `the evaluator's role may not read ${unreadable.map((c) => `${where}.${c!.column}`).join(' and ')} (grant it with sql/roles/02_grant_registry_sources.sql)`,
    };
  }
  if (valueType === 'boolean' && aggregation !== 'LATEST' && aggregation !== 'COUNT_7D') {
    return { problem: `aggregation ${aggregation} cannot apply to boolean column ${where}.${row.source_column}` };
  }
  return {
    key: row.signal_key,
    schema: row.source_schema,
    table: row.source_table,
    column: row.source_column,
    timeColumn: row.time_column,
    aggregation,
    valueType: aggregation === 'COUNT_7D' ? 'number' : valueType,
  };
}
