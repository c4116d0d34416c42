import { checkRecord, WalletError, type WalletRecord } from './vault';

/** The wallet's keys on this device: IndexedDB `concord-wallet` v1, store `keys`, keyPath `did`. */
const DATABASE = 'concord-wallet';
const VERSION = 1;
const STORE = 'keys';

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  if (opening !== null) return opening;
  const pending = new Promise<IDBDatabase>((resolve, reject) => {
    const factory = globalThis.indexedDB;
    if (factory === undefined) {
      reject(new WalletError('storage_unavailable', 'This browser cannot keep a wallet (no IndexedDB).'));
      return;
    }
    const request = factory.open(DATABASE, VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'did' });
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrades or deletes the database: let it, and open again next time.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () =>
      reject(new WalletError('storage_unavailable', request.error?.message ?? 'The wallet storage did not open.'));
    request.onblocked = () =>
      reject(
        new WalletError('storage_unavailable', 'The wallet storage is busy in another tab; close it and try again.'),
      );
  });
  opening = pending;
  pending.catch(() => {
    opening = null;
  });
  return pending;
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () =>
      reject(new WalletError('storage_unavailable', tx.error?.message ?? 'The wallet storage failed.'));
    tx.onabort = () =>
      reject(new WalletError('storage_unavailable', tx.error?.message ?? 'The wallet storage failed.'));
  });
}

/** The keys on this device, oldest first; records that are not well-formed are left out. */
export async function listKeys(): Promise<WalletRecord[]> {
  const all = await run('readonly', (store) => store.getAll());
  const records: WalletRecord[] = [];
  for (const value of all) {
    try {
      records.push(checkRecord(value));
    } catch {
      // A damaged record cannot be unlocked; it stays in the database untouched.
    }
  }
  return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function getKey(did: string): Promise<WalletRecord | undefined> {
  const value = await run('readonly', (store) => store.get(did) as IDBRequest<unknown>);
  return value === undefined ? undefined : checkRecord(value);
}

export async function putKey(record: WalletRecord): Promise<void> {
  const checked = checkRecord(record);
  await run('readwrite', (store) => store.put(checked));
}

export async function deleteKey(did: string): Promise<void> {
  await run('readwrite', (store) => store.delete(did));
}
