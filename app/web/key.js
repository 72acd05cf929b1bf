// The write key and the page's writes. The key is typed into the page and kept in sessionStorage only: it lasts
// as long as the tab, is never put in a link or in localStorage, and is sent only as the X-API-Key header of this
// origin's own write requests (grading a source, reviewing staged claims). The server checks it before anything
// else; a missing or wrong key comes back as 401 or 403, which are turned here into words an analyst can act on.

const STORAGE = "kg-write-key";

/** The key typed into this tab, or "". */
export function writeKey() {
  try {
    return sessionStorage.getItem(STORAGE) || "";
  } catch {
    return ""; // storage refused (a locked-down browser): the field's value is still used below
  }
}

/** Keep the key field and sessionStorage in step; the field shows whether a key is held. */
export function wireKeyField(input, status) {
  input.value = writeKey();
  const show = () => { status.textContent = input.value ? "A key is held for this tab." : "No key: the page can only read."; };
  input.addEventListener("input", () => {
    try {
      if (input.value) sessionStorage.setItem(STORAGE, input.value);
      else sessionStorage.removeItem(STORAGE);
    } catch { /* the key then lasts only as long as the field */ }
    show();
  });
  show();
  return () => input.value;
}

/** The error a refused write means to the analyst: what went wrong and what to do. */
export class WriteError extends Error {
  constructor(status, body) {
    let message = body.message || `HTTP ${status}`;
    if (status === 401) message = "This needs the write key: type it under “Write key” (it is kept for this tab only).";
    else if (status === 403) message = "The write key was refused: it is not a key this server accepts. Check it and type it again.";
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** Send a JSON write with the key; counted as work in flight (window.explorer.pending) so tests know when it ends. */
export async function sendJSON(method, path, body, key = writeKey()) {
  const explorer = window.explorer || { pending: 0 };
  explorer.pending += 1;
  try {
    const headers = { Accept: "application/json", "Content-Type": "application/json" };
    if (key) headers["X-API-Key"] = key;
    const response = await fetch(new URL(path, location.origin), { method, headers, body: JSON.stringify(body) });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new WriteError(response.status, answer);
    return answer;
  } finally {
    explorer.pending -= 1;
  }
}
