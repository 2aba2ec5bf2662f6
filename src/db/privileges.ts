import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { packageRoot } from '../paths.js';

/** The administrator's script that creates the evaluator's role and its grants (docs/roles.md). */
export const ROLE_SCRIPT = '01_canonical_evaluator.sql';
/** The administrator's script that grants the registry's sources (docs/roles.md). */
export const REGISTRY_GRANT_SCRIPT = '02_grant_registry_sources.sql';

/** One right a run needs, as the role script grants it: a schema, table, column or function privilege. */
export interface RequiredPrivilege {
  kind: 'schema' | 'table' | 'column' | 'function';
  /** Schema of the object (the object itself for `schema`). */
  schema: string;
  /** Name of the table or function (the schema's name for `schema`). */
  name: string;
  /** The column, for `column`; else null. */
  column: string | null;
  /** Argument types as written in the script, for `function` (e.g. `uuid, text`); else null. */
  args: string | null;
  /** `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `USAGE` or `EXECUTE`. */
  privilege: string;
}

/** Splits `text` at commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** `schema.name` → its two parts (an unqualified name has no schema: refused). */
function qualified(name: string): { schema: string; name: string } {
  const match = /^([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$/i.exec(name.trim());
  if (!match) throw new Error(`cannot read the object name ${JSON.stringify(name)} in ${ROLE_SCRIPT}`);
  return { schema: match[1]!.toLowerCase(), name: match[2]!.toLowerCase() };
}

/**
 * The rights `role` is given by the `GRANT … ON … TO role` statements of a
 * role script (sql/roles/01_canonical_evaluator.sql): so the list of what a run
 * needs lives in one place, the script an administrator runs. `DO` blocks
 * (the role itself, `CONNECT` on the database), comments, `REVOKE`s and grants
 * to other roles are ignored. Column lists become one entry per column.
 *
 * @throws Error when a GRANT to `role` names an object in a form it cannot read.
 */
export function requiredPrivileges(script: string, role = 'canonical_evaluator'): RequiredPrivilege[] {
  const statements = script
    .replace(/\bDO\s+\$\$[\s\S]*?\$\$\s*;/gi, '')
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.replace(/\s+/g, ' ').trim());
  const found: RequiredPrivilege[] = [];
  const seen = new Set<string>();
  const add = (p: RequiredPrivilege) => {
    const key = JSON.stringify(p);
    if (!seen.has(key)) {
      seen.add(key);
      found.push(p);
    }
  };
  for (const statement of statements) {
    const grant = /^GRANT (.+?) ON (.+) TO ([a-z_][a-z0-9_]*)$/i.exec(statement);
    if (!grant || grant[3]!.toLowerCase() !== role) continue;
    const privileges = splitTopLevel(grant[1]!).map((item) => {
      const m = /^([a-z]+)(?: ?\((.*)\))?$/i.exec(item);
      if (!m) throw new Error(`cannot read the privilege ${JSON.stringify(item)} in ${ROLE_SCRIPT}`);
      return { privilege: m[1]!.toUpperCase(), columns: m[2] === undefined ? null : splitTopLevel(m[2]).map((c) => c.toLowerCase()) };
    });
    const target = grant[2]!;
    const schemaTarget = /^SCHEMA (.+)$/i.exec(target);
    const functionTarget = /^FUNCTION (.+)$/i.exec(target);
    if (schemaTarget) {
      for (const name of splitTopLevel(schemaTarget[1]!)) {
        for (const { privilege } of privileges) {
          add({ kind: 'schema', schema: name.toLowerCase(), name: name.toLowerCase(), column: null, args: null, privilege });
        }
      }
    } else if (functionTarget) {
      for (const signature of splitTopLevel(functionTarget[1]!)) {
        const m = /^([^(]+)\((.*)\)$/.exec(signature);
        if (!m) throw new Error(`cannot read the function ${JSON.stringify(signature)} in ${ROLE_SCRIPT}`);
        const args = splitTopLevel(m[2]!).join(', ');
        for (const { privilege } of privileges) add({ kind: 'function', ...qualified(m[1]!), column: null, args, privilege });
      }
    } else {
      for (const table of splitTopLevel(target.replace(/^TABLE /i, ''))) {
        for (const { privilege, columns } of privileges) {
          if (columns === null) add({ kind: 'table', ...qualified(table), column: null, args: null, privilege });
          else for (const column of columns) add({ kind: 'column', ...qualified(table), column, args: null, privilege });
        }
      }
    }
  }
  return found;
}

/** {@link requiredPrivileges} of the role script shipped in `sql/roles/`. */
export function runPrivileges(root = packageRoot()): RequiredPrivilege[] {
  return requiredPrivileges(readFileSync(join(root, 'sql', 'roles', ROLE_SCRIPT), 'utf8'));
}

/** A required right and whether the connected role holds it. */
export interface PrivilegeCheck extends RequiredPrivilege {
  /** Whether the object (and, for a column, the column) exists. */
  present: boolean;
  /** Whether `current_user` holds the right (directly or through a role it inherits); false when absent. */
  held: boolean;
}

const checkRow = z.object({ ord: z.coerce.number().int(), present: z.boolean(), held: z.boolean().nullable() });

/**
 * Checks each of `required` for the connected role (`current_user`) with
 * `has_schema_privilege`, `has_table_privilege`, `has_column_privilege` and
 * `has_function_privilege`. Objects are looked up in `pg_catalog` by name, so a
 * schema the role may not use or an object that does not exist is an answer
 * (`held` false, `present` false), never an error.
 */
export async function checkPrivileges(db: CommonQueryMethods, required: readonly RequiredPrivilege[]): Promise<PrivilegeCheck[]> {
  if (required.length === 0) return [];
  const column = (f: (p: RequiredPrivilege) => string | null) =>
    sql.array(
      required.map((p) => f(p) ?? ''),
      'text',
    );
  const rows = await db.any(sql.type(checkRow)`
    SELECT r.ord,
           CASE r.kind WHEN 'schema' THEN n.oid IS NOT NULL
                       WHEN 'table' THEN c.oid IS NOT NULL
                       WHEN 'column' THEN a.attnum IS NOT NULL
                       ELSE p.oid IS NOT NULL END AS present,
           CASE r.kind WHEN 'schema' THEN has_schema_privilege(n.oid, r.privilege)
                       WHEN 'table' THEN has_table_privilege(c.oid, r.privilege)
                       WHEN 'column' THEN has_column_privilege(c.oid, a.attnum, r.privilege)
                       ELSE has_function_privilege(p.oid, r.privilege) END AS held
    FROM unnest(${column((p) => p.kind)}::text[], ${column((p) => p.schema)}::text[], ${column((p) => p.name)}::text[],
                ${column((p) => p.column)}::text[], ${column((p) => p.args)}::text[], ${column((p) => p.privilege)}::text[])
         WITH ORDINALITY AS r(kind, schema_name, object_name, column_name, args, privilege, ord)
    LEFT JOIN pg_catalog.pg_namespace AS n ON n.nspname = r.schema_name
    LEFT JOIN pg_catalog.pg_class AS c
      ON r.kind IN ('table', 'column') AND c.relnamespace = n.oid AND c.relname = r.object_name
    LEFT JOIN pg_catalog.pg_attribute AS a
      ON r.kind = 'column' AND a.attrelid = c.oid AND a.attname = r.column_name AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_catalog.pg_proc AS p
      ON r.kind = 'function' AND p.pronamespace = n.oid AND p.proname = r.object_name
     -- proargtypes is an oidvector (its array is 0-based): compare the type lists as text.
     AND array_to_string(p.proargtypes::oid[], ',') =
         array_to_string(ARRAY(SELECT to_regtype(btrim(t.arg))::oid
                               FROM unnest(string_to_array(nullif(r.args, ''), ',')) WITH ORDINALITY AS t(arg, i)
                               ORDER BY t.i), ',', '?')
    ORDER BY r.ord`);
  return rows.map((row) => ({ ...required[row.ord - 1]!, present: row.present, held: row.present && row.held === true }));
}

/** `SELECT on fhq_calendar.x`, `UPDATE (a, b) on fhq_calendar.x`, `EXECUTE on fhq_calendar.f(uuid)`, `USAGE on schema s`: rights grouped per object and privilege. */
export function describePrivileges(checks: readonly RequiredPrivilege[]): string[] {
  const groups = new Map<string, string[]>();
  for (const p of checks) {
    const object =
      p.kind === 'schema' ? `schema ${p.name}` : p.kind === 'function' ? `${p.schema}.${p.name}(${p.args ?? ''})` : `${p.schema}.${p.name}`;
    const key = `${p.privilege}\u0000${object}`;
    const columns = groups.get(key) ?? [];
    if (p.column) columns.push(p.column);
    groups.set(key, columns);
  }
  return [...groups].map(([key, columns]) => {
    const [privilege, object] = key.split('\u0000') as [string, string];
    return `${privilege}${columns.length ? ` (${columns.join(', ')})` : ''} on ${object}`;
  });
}
