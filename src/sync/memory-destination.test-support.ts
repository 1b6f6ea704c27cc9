/**
 * For tests only: an in-memory stand-in for the Oomnitza service behind UserDestination and
 * SaasDestination (a remote service, not one of our modules), with a request log, injectable write
 * failures and a gate that holds writes in flight.
 *
 * @example
 * const oomnitza = createMemoryDestination({ users: [{ id: 'u1', fields: { email: 'a@x.io' } }] });
 */
import type { DestinationUser, SaasAssignment, SaasDestination, UserDestination } from './ports.ts';

export interface MemoryDestination extends UserDestination, SaasDestination {
  readonly users: Map<string, Record<string, unknown>>;
  readonly assignments: Map<string, Map<string, { roles: readonly string[]; active: boolean }>>;
  readonly applications: Map<string, string>;
  /** Every call, in order: `count`, `list`, `find:<field>`, `create`, `update:<id>`, `assign:<id>`… */
  readonly calls: string[];
  /** The most writes that were in flight at once. */
  maxInFlight: number;
}

export interface MemoryOptions {
  readonly users?: readonly DestinationUser[];
  readonly listPageSize?: number;
  readonly findBatchSize?: number;
  /** Fields no two users may share (compared case-insensitively), as Oomnitza's unique fields. */
  readonly unique?: readonly string[];
  /** A message makes that write fail. */
  readonly failWrite?: (kind: 'create' | 'update' | 'assign', fields: Readonly<Record<string, unknown>>) => string | null;
  /** Awaited inside every write, while it counts as in flight. */
  readonly gate?: () => Promise<void>;
}

export function createMemoryDestination(options: MemoryOptions = {}): MemoryDestination {
  const users = new Map<string, Record<string, unknown>>((options.users ?? []).map((u) => [u.id, { ...u.fields }]));
  const pageSize = options.listPageSize ?? 100;
  const calls: string[] = [];
  let nextId = 1000;
  let inFlight = 0;
  const text = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : typeof v === 'number' ? String(v) : null);
  const pick = (id: string, fields: readonly string[]): DestinationUser => {
    const all = users.get(id) ?? {};
    return { id, fields: Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]])) };
  };

  async function writing<T>(kind: 'create' | 'update' | 'assign', fields: Readonly<Record<string, unknown>>, run: () => T): Promise<T> {
    inFlight += 1;
    self.maxInFlight = Math.max(self.maxInFlight, inFlight);
    try {
      await (options.gate?.() ?? Promise.resolve());
      const refusal = options.failWrite?.(kind, fields);
      if (refusal != null) throw new Error(refusal);
      return run();
    } finally {
      inFlight -= 1;
    }
  }

  function checkUnique(id: string | null, fields: Readonly<Record<string, unknown>>): void {
    for (const field of options.unique ?? []) {
      const value = text(fields[field]);
      if (value === null) continue;
      for (const [other, held] of users)
        if (other !== id && text(held[field]) === value)
          throw new Error(`${field} "${String(fields[field])}" is already used by user ${other}`);
    }
  }

  const self: MemoryDestination = {
    users,
    assignments: new Map(),
    applications: new Map(),
    calls,
    maxInFlight: 0,
    ...(options.listPageSize === undefined ? {} : { listPageSize: options.listPageSize }),
    ...(options.findBatchSize === undefined ? {} : { findBatchSize: options.findBatchSize }),
    async countUsers() {
      calls.push('count');
      return users.size;
    },
    async *listUsers(fields) {
      const ids = [...users.keys()];
      for (let skip = 0; skip < ids.length; skip += pageSize) {
        calls.push('list');
        yield ids.slice(skip, skip + pageSize).map((id) => pick(id, fields));
      }
    },
    async findUsers(field, values, fields) {
      const wanted = new Set(values.map(text));
      const found: DestinationUser[] = [];
      const batch = options.findBatchSize ?? 50;
      for (let i = 0; i < values.length; i += batch) calls.push(`find:${field}`);
      for (const [id, held] of users) if (wanted.has(text(held[field]))) found.push(pick(id, fields));
      return found;
    },
    async createUser(fields) {
      calls.push('create');
      return writing('create', fields, () => {
        checkUnique(null, fields);
        const id = String(nextId++);
        users.set(id, { ...fields });
        return { id, fields };
      });
    },
    async updateUser(id, patch) {
      calls.push(`update:${id}`);
      return writing('update', patch, () => {
        const held = users.get(id);
        if (held === undefined) throw new Error(`no user ${id}`);
        checkUnique(id, patch);
        Object.assign(held, patch);
        return { id, fields: held };
      });
    },
    async ensureApplication(name) {
      calls.push('ensureApplication');
      const id = self.applications.get(name);
      if (id !== undefined) return { id, created: false };
      const created = `app-${self.applications.size + 1}`;
      self.applications.set(name, created);
      self.assignments.set(created, new Map());
      return { id: created, created: true };
    },
    async findApplication(name) {
      calls.push('findApplication');
      const id = self.applications.get(name);
      return id === undefined ? null : { id };
    },
    async listAssignments(applicationId) {
      calls.push('listAssignments');
      return [...(self.assignments.get(applicationId) ?? new Map<string, { roles: readonly string[]; active: boolean }>())].map(
        ([userId, a]): SaasAssignment => ({ userId, email: text(users.get(userId)?.['email']), roles: a.roles, active: a.active }),
      );
    },
    async assignUser(applicationId, userId, roles) {
      calls.push(`assign:${userId}`);
      return writing('assign', { userId, roles }, () => {
        if (!users.has(userId)) throw new Error(`no user ${userId}`);
        const app = self.assignments.get(applicationId);
        if (app === undefined) throw new Error(`no application ${applicationId}`);
        app.set(userId, { roles: [...roles].sort(), active: true });
      });
    },
  };
  return self;
}
