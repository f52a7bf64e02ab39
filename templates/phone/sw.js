// salesweb's service worker (served at /sw.js, scope /). It keeps the app's shell, versioned, for use without signal,
// and each signed-in user's recent pages apart: a page is asked of the network first and its last good copy shown
// when there is none, marked with the time it was kept. Nothing of one user's is ever shown to another: a page is
// kept under the id of the user it was made for, read back only for that user, and every kept page goes when a
// page is seen signed out (signing out, a session ended elsewhere). It keeps ahead of need the customers and visit
// forms Today links to, refreshes the customer pages the rep opened in the last two weeks while there is signal, and
// sends the phone's outbox (static/js/outbox.js) when Background Sync says the signal is back.
"use strict";
importScripts({{ outbox_script|tojson }});
const VERSION = {{ version|tojson }};
const SHELL = "shell-" + VERSION;
const SHELL_FILES = {{ shell|tojson }};
const OFFLINE = {{ offline|tojson }};
const LOGOUT = {{ logout|tojson }};
const PAGES = "pages-";  // + the user's id
const META = "meta";  // who the last page was for (whose pages to show without signal) and their home page
const TOKEN = {{ token|tojson }};
const VISIT_FORM = {{ visit_form|tojson }};
const CUSTOMER_PAGE = {{ customer_page|tojson }}.replace(/0$/, "");  // + the customer's id
const REFUSED = {{ refused|tojson }};
const WHO = "/__salesweb/user";
const KEEP_MS = 14 * 24 * 3600 * 1000;  // a page not wanted for two weeks goes
const FRESH_MS = 30 * 60 * 1000;  // a page kept less than half an hour ago is not fetched again ahead of need

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL)
    .then((cache) => cache.addAll(SHELL_FILES.map((url) => new Request(url, { credentials: "omit", cache: "reload" }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("shell-") && name !== SHELL)
      .map((name) => caches.delete(name))))
    .then(prune)
    .then(() => self.clients.claim()));
});

function signedIn() {  // {user, home} of the last page seen, or {} after a sign-out
  return caches.open(META).then((cache) => cache.match(WHO)).then((hit) => (hit ? hit.json() : {}));
}

function setUser(user, home) {
  return caches.open(META).then((cache) => cache.put(WHO, new Response(JSON.stringify(user ? { user: user, home: home } : {}),
    { headers: { "Content-Type": "application/json" } })));
}

function forgetPages() {  // and the copy of the book the offline visit form picks from (the outbox stays: see README)
  return caches.keys().then((names) => Promise.all(names.filter((name) => name.startsWith(PAGES))
    .map((name) => caches.delete(name)))).then(() => SalesOutbox.forgetBooks().catch(() => null)).then(() => setUser(""));
}

function keptAt(hit, header) { return Number((hit && hit.headers.get(header)) || 0); }

function prune() {
  const oldest = Date.now() - KEEP_MS;
  return caches.keys().then((names) => Promise.all(names.filter((name) => name.startsWith(PAGES)).map((name) =>
    caches.open(name).then((cache) => cache.keys().then((requests) => Promise.all(requests.map((request) =>
      cache.match(request).then((hit) => {
        if (!hit || (keptAt(hit, "X-Wanted-At") || keptAt(hit, "X-Kept-At")) < oldest) { return cache.delete(request); }
        return null;
      }))))))));
}

// A full page (a navigation, or htmx's boosted one), not a fragment of one.
function isPage(request) {
  return request.mode === "navigate" || request.headers.get("HX-Boosted") === "true";
}

// Keep a good page under the id of the user it was made for (the page says, on its <body>); a page made for
// nobody (the sign-in page) means whoever was signed in is not any more: their pages go. `wanted`: when the user
// last opened the page or saw it on Today (now, unless a refresh keeps the earlier time).
function keep(url, response, wanted) {
  if (response.status !== 200 || !(response.headers.get("Content-Type") || "").startsWith("text/html")) {
    return Promise.resolve();
  }
  return response.text().then((html) => {
    const found = /<body\b[^>]*\bdata-user="(\d+)"/.exec(html);
    if (!found) {
      return /<body\b[^>]*\bclass="signed-out"/.test(html) ? forgetPages() : null;
    }
    const user = found[1];
    const home = (/<body\b[^>]*\bdata-home="([^"]+)"/.exec(html) || [])[1] || "/";
    const headers = new Headers({ "Content-Type": response.headers.get("Content-Type"), "X-Kept-At": String(Date.now()),
                                  "X-Wanted-At": String(wanted || Date.now()) });
    return signedIn().then((before) => (before.user === user && before.home === home ? null : setUser(user, home)))
      .then(() => caches.open(PAGES + user))
      .then((cache) => cache.put(url, new Response(html, { headers: headers })));
  });
}

// The kept copy of a page, marked for the page's script to say how old it is; else the offline page. The site's
// root (where the installed app starts) is the user's home page.
function keptCopy(url) {
  return signedIn().then((who) => {
    if (!who.user) { return null; }
    const wanted = new URL(url).pathname === "/" ? new URL(who.home, url).href : url;
    return caches.open(PAGES + who.user).then((cache) => cache.match(wanted, { ignoreVary: true }).then((hit) =>
      // the visit form for any customer: the page script sets it for the one asked for, from the phone's book
      hit || (new URL(url).pathname === VISIT_FORM ? cache.match(wanted, { ignoreVary: true, ignoreSearch: true }) : null)));
  }).then((hit) => {
    if (!hit) { return caches.match(OFFLINE, { cacheName: SHELL }); }
    const at = hit.headers.get("X-Kept-At") || "";
    return hit.text().then((html) => new Response(
      html.replace('<main id="main"', '<main id="main" data-offline-as-of="' + at + '"'),
      { headers: { "Content-Type": hit.headers.get("Content-Type") } }));
  });
}

function page(event) {
  const url = event.request.url;
  return fetch(event.request).then((response) => {
    event.waitUntil(keep(url, response.clone()).catch(() => null));
    return response;
  }, () => keptCopy(url));
}

// Pages fetched ahead of need (the customers and visit forms Today links to), and the kept customer pages brought up
// to date, one at a time, each at most every half hour.
function fetchAndKeep(url, wanted) {
  return fetch(url, { credentials: "same-origin", redirect: "manual" })
    .then((response) => keep(url, response, wanted)).catch(() => null);
}

function keepAhead(urls) {
  return signedIn().then((who) => {
    if (!who.user) { return null; }
    return caches.open(PAGES + who.user).then((cache) => urls.filter((url) => new URL(url).origin === self.location.origin)
      .reduce((done, url) => done.then(() => cache.match(url, { ignoreVary: true }).then((hit) =>
        (Date.now() - keptAt(hit, "X-Kept-At") < FRESH_MS ? null : fetchAndKeep(url, Date.now())))),
      Promise.resolve()));
  });
}

function refreshKept() {
  const since = Date.now() - KEEP_MS;
  return signedIn().then((who) => {
    if (!who.user) { return null; }
    return caches.open(PAGES + who.user).then((cache) => cache.keys().then((requests) => requests
      .filter((request) => new URL(request.url).pathname.startsWith(CUSTOMER_PAGE))
      .reduce((done, request) => done.then(() => cache.match(request).then((hit) => {
        const wanted = keptAt(hit, "X-Wanted-At") || keptAt(hit, "X-Kept-At");
        if (!hit || wanted < since || Date.now() - keptAt(hit, "X-Kept-At") < FRESH_MS) { return null; }
        return fetchAndKeep(request.url, wanted);
      })), Promise.resolve())));
  });
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) { event.waitUntil(keepAhead(data.urls.slice(0, 60))); }
  if (data.type === "refresh") { event.waitUntil(prune().then(refreshKept)); }
});

// Background Sync: the signal is back. Whatever still waits makes the browser try again later.
self.addEventListener("sync", (event) => {
  if (event.tag !== "salesweb-outbox") { return; }
  event.waitUntil(signedIn().then((who) => (who.user ? SalesOutbox.send(who.user, TOKEN, REFUSED) : null))
    .then((counts) => {
      if (counts && counts.waiting > 0) { throw new Error("visits still waiting"); }
    }));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === LOGOUT) {
    // signing out: this user's pages go with the session (whatever the answer: kept copies are only copies); with
    // no signal they go all the same, and the offline page says the rest waits for a connection
    event.respondWith(fetch(request).then((response) => forgetPages().then(() => response),
      () => forgetPages().then(() => caches.match(OFFLINE, { cacheName: SHELL }))));
    return;
  }
  if (request.method !== "GET") { return; }
  if (SHELL_FILES.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: SHELL }).then((hit) => hit || fetch(request)));
    return;
  }
  if (isPage(request)) { event.respondWith(page(event)); }
});
