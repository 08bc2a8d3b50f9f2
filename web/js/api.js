// The session (a bearer token in sessionStorage) and calls to the services through the gateway.

const TOKEN_KEY = "truckroll.token";
const USER_KEY = "truckroll.user";

export function session() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const user = sessionStorage.getItem(USER_KEY);
  return token && user ? { token, user: JSON.parse(user) } : null;
}

export function signIn(token, user) {
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(USER_KEY, JSON.stringify(user));
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}

/** The signed-in session, or a trip to the login page that comes back here afterwards. */
export function requireSession() {
  const current = session();
  if (!current) {
    const back = encodeURIComponent(location.pathname + location.search);
    location.replace(`/web/?next=${back}`);
    throw new Error("not signed in");
  }
  return current;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** JSON in, JSON out; a problem answer becomes an ApiError whose message is its detail. */
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const current = session();
  if (current) headers.Authorization = `Bearer ${current.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && current) {
      signOut();
      requireSession();
    }
    throw new ApiError(response.status, data || {});
  }
  return data;
}

/** Today's date in the browser's time zone, as YYYY-MM-DD. */
export function localToday() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

export function clock(iso) {
  return TIME.format(new Date(iso));
}

export function windowText(window) {
  return window ? `${clock(window.start)}–${clock(window.end)}` : "";
}

/** Text for a status value such as "on_hold". */
export function label(value) {
  const text = String(value).replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A live region's message (role="status"): what happened, or what went wrong. */
export function announce(element, message, isError = false) {
  element.textContent = message;
  element.classList.toggle("error", isError);
}
