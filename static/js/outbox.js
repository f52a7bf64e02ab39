// The phone's outbox: visits saved on the phone without signal (IndexedDB "salesweb"), waiting to be sent, and the
// copy of the rep's book the offline visit form picks customers from. Used by the pages (phone.js, visit-outbox.js)
// and by the service worker (Background Sync), so it speaks only of `self`.
//
// A visit waiting: {uuid, user, action, captured_at (ISO), captured_ms, customer: {id, name}, fields: [[name,
// value]], photo (a Blob or null), photo_name, state: "waiting" | "refused", reason: {field: message}, failed: the
// status of the last try the server failed (5xx), or 0}. It leaves the outbox only when the server has it (201
// made, or 200 made before under the same uuid, answered in JSON) or the rep discards it; a refusal (the customer
// reassigned, the photo not an image, the form invalid) keeps it with the reason.
(function (scope) {
  "use strict";
  if (scope.SalesOutbox) { return; }
  var DB = "salesweb", VISITS = "visits", BOOKS = "books";
  var CHANNEL = "salesweb-outbox";
  var TOKEN_MS = 15000, SEND_MS = 90000;  // a connection that hangs (one bar of signal) gives way, to try later

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  var opened = null;
  function open() {
    if (!opened) {
      var req = scope.indexedDB.open(DB, 1);
      req.onupgradeneeded = function (event) {  // each version's stores, from the version the phone had
        var db = req.result;
        if (event.oldVersion < 1) {
          db.createObjectStore(VISITS, { keyPath: "uuid" }).createIndex("user", "user");
          db.createObjectStore(BOOKS, { keyPath: "user" });
        }
      };
      opened = request(req).then(function (db) {
        db.onversionchange = function () { db.close(); opened = null; };  // a newer release's page or worker asks
        return db;
      });
      opened.catch(function () { opened = null; });
    }
    return opened;
  }

  function store(name, mode, work) {  // runs work(objectStore) in one transaction; resolves with its result once done
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode), result;
        Promise.resolve(work(tx.objectStore(name))).then(function (value) { result = value; }, reject);
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function changed() {  // tells every page of this site (and the worker) that the outbox changed
    if (scope.BroadcastChannel) {
      var channel = new BroadcastChannel(CHANNEL);
      channel.postMessage("changed");
      channel.close();
    }
  }

  function list(user) {  // the user's waiting and refused visits, the oldest first
    return store(VISITS, "readonly", function (s) {
      return request(s.index("user").getAll(String(user)));
    }).then(function (items) {
      return items.sort(function (a, b) { return a.captured_ms - b.captured_ms; });
    });
  }

  function get(uuid) { return store(VISITS, "readonly", function (s) { return request(s.get(uuid)); }); }

  function put(item) {
    return store(VISITS, "readwrite", function (s) { return request(s.put(item)); }).then(function () { changed(); });
  }

  function remove(uuid) {
    return store(VISITS, "readwrite", function (s) { return request(s["delete"](uuid)); }).then(function () { changed(); });
  }

  function saveBook(user, book) {
    return store(BOOKS, "readwrite", function (s) {
      return request(s.put({ user: String(user), kept_at: Date.now(), customers: book.customers }));
    });
  }

  function book(user) { return store(BOOKS, "readonly", function (s) { return request(s.get(String(user))); }); }

  function forgetBooks() { return store(BOOKS, "readwrite", function (s) { return request(s.clear()); }); }

  // The sign-in this phone has now and a fresh form token for it, or null: signed out (the server sends the sign-in
  // page), another user, or no answer.
  function timed(url, options, ms) {  // fetch, given up after ms
    var control = scope.AbortController ? new AbortController() : null;
    var timer = control ? setTimeout(function () { control.abort(); }, ms) : null;
    if (control) { options.signal = control.signal; }
    return fetch(url, options).then(function (response) { clearTimeout(timer); return response; },
                                    function (error) { clearTimeout(timer); throw error; });
  }

  function isJson(response) { return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0; }

  function token(url, user) {
    return timed(url, { credentials: "same-origin", redirect: "manual", cache: "no-store",
                        headers: { Accept: "application/json" } }, TOKEN_MS)
      .then(function (response) {
        if (!response.ok || !isJson(response)) { return null; }
        return response.json().then(function (body) { return String(body.user) === String(user) ? body.csrf : null; });
      });
  }

  function formFor(item, csrf) {
    var data = new FormData();
    data.append("csrf_token", csrf);
    item.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    data.append("client_uuid", item.uuid);
    data.append("captured_at", item.captured_at);
    if (item.photo) { data.append("photo", item.photo, item.photo_name || "photo.jpg"); }
    return data;
  }

  // One visit sent: "sent", "refused" (kept with the server's reason), "stale" (the form token: ask again), "failed"
  // (the server failed on it: kept, marked, and the next one tried), or "stop" (no signal, signed out, the server
  // not answering as it should: try again later).
  function deliver(item, csrf, fallback, again) {
    return timed(item.action, { method: "POST", body: formFor(item, csrf), credentials: "same-origin",
                                redirect: "manual", headers: { Accept: "application/json" } }, SEND_MS)
      .then(function (response) {
        if (response.status === 200 || response.status === 201) {
          if (!isJson(response)) { return "stop"; }  // a page in the way (a proxy, a portal): not the server's word
          return response.json().then(function (body) {
            return body && body.id ? remove(item.uuid).then(function () { return "sent"; }) : "stop";
          }, function () { return "stop"; });
        }
        if (response.status === 400 && !again) { return "stale"; }
        if (response.status >= 500) {
          item.failed = response.status;
          return put(item).then(function () { return "failed"; });
        }
        if (response.type === "opaqueredirect" || response.status < 400 || response.status === 408 ||
            response.status === 429) { return "stop"; }
        return response.json().then(function (body) { return body.errors || { form: fallback }; },
                                    function () { return { form: fallback }; })
          .then(function (reason) {
            item.state = "refused";
            item.reason = reason;
            return put(item).then(function () { return "refused"; });
          });
      }, function () { return "stop"; });
  }

  // Sends the user's waiting visits, one at a time, oldest first, once at a time per phone (a lock across its tabs
  // and the worker). Resolves with {sent, refused, waiting}.
  function sendAll(user, tokenUrl, fallback) {
    var counts = { sent: 0, refused: 0, waiting: 0 };
    return list(user).then(function (items) {
      var waiting = items.filter(function (item) { return item.state === "waiting"; });
      counts.waiting = waiting.length;
      if (!waiting.length) { return counts; }
      return token(tokenUrl, user).then(function (csrf) {
        if (!csrf) { return counts; }
        function next(i) {
          if (i >= waiting.length) { return counts; }
          return deliver(waiting[i], csrf, fallback).then(function (outcome) {
            if (outcome === "stale") {  // the token went with the sign-in's age: a fresh one, once
              return token(tokenUrl, user).then(function (fresh) {
                if (!fresh) { return counts; }
                csrf = fresh;
                return deliver(waiting[i], csrf, fallback, true).then(tally);
              });
            }
            return tally(outcome);
          });
          function tally(outcome) {
            if (outcome === "sent") { counts.sent += 1; counts.waiting -= 1; return next(i + 1); }
            if (outcome === "refused") { counts.refused += 1; counts.waiting -= 1; return next(i + 1); }
            if (outcome === "failed") { return next(i + 1); }
            return counts;  // stop: later
          }
        }
        return next(0);
      });
    }).catch(function () { return counts; });
  }

  // One sender at a time on the phone: a tab or the worker already sending is left to finish (a trigger then is
  // not queued behind it; what it sends, every page hears of).
  function send(user, tokenUrl, fallback) {
    if (scope.navigator && scope.navigator.locks) {
      return scope.navigator.locks.request("salesweb-outbox", { ifAvailable: true }, function (lock) {
        return lock ? sendAll(user, tokenUrl, fallback) : { sent: 0, refused: 0, waiting: -1 };
      });
    }
    return sendAll(user, tokenUrl, fallback);
  }

  scope.SalesOutbox = { CHANNEL: CHANNEL, list: list, get: get, put: put, remove: remove, send: send,
                        saveBook: saveBook, book: book, forgetBooks: forgetBooks };
})(self);
