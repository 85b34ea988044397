// IndexedDB: "kv" holds the session, the device key, the last known /me and cached catalogs;
// "queue" holds location reports until the server has answered for them.

const DB_NAME = "amina";
const DB_VERSION = 1;
let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    opening.catch(() => { opening = null; });
  }
  return opening;
}

async function run(storeName, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    const store = tx.objectStore(storeName);
    let result;
    const request = work(store);
    if (request) request.onsuccess = () => { result = request.result; };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export const kvGet = (key) => run("kv", "readonly", (s) => s.get(key));
export const kvSet = (key, value) => run("kv", "readwrite", (s) => { s.put(value, key); });
export const kvDel = (key) => run("kv", "readwrite", (s) => { s.delete(key); });

/** Adds a report; a report with the same id is kept as it was (first write wins). */
export const queueAdd = (item) =>
  run("queue", "readwrite", (s) => {
    s.add(item).onerror = (event) => {
      event.preventDefault(); // a duplicate id is not an error: keep the transaction
      event.stopPropagation();
    };
  });
export const queueAll = () => run("queue", "readonly", (s) => s.getAll());
export const queueCount = () => run("queue", "readonly", (s) => s.count());
export const queueDelete = (ids) =>
  run("queue", "readwrite", (s) => { for (const id of ids) s.delete(id); });
