// The technician app's service worker: the app's shell works offline; API calls always go to the
// network (a stale appointment list or status would mislead), and so do photos, whose presigned
// URLs expire.
const CACHE = "truckroll-shell-v2";
const SHELL = [
  "/web/tech.html",
  "/web/css/app.css",
  "/web/js/api.js",
  "/web/js/feed.js",
  "/web/js/job.js",
  "/web/js/tech.js",
  "/web/manifest.json",
  "/web/icon.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))),
  );
});

// Network first for the shell (the gateway sends no-cache), the cached copy when offline.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !SHELL.includes(url.pathname)) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        return response;
      })
      .catch(() => caches.match(event.request)),
  );
});
