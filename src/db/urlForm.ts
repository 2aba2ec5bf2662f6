/** The form of `DATABASE_URL`, as every message that refuses one states it (in a module of its own, so the help loads no driver). */
export const DATABASE_URL_FORM = 'postgres://user[:password]@host[:port]/database';
