// The installable app (loaded by app.js once the page is usable): registers the service worker (/sw.js), says when a
// page is this phone's kept copy ("Offline: as of 09:42"), and offers to install: Android's own prompt behind an
// Install button, or once on an iPhone or iPad how to add the app to the Home Screen, and why. It shows the outbox
// (visits saved on the phone, waiting to be sent; static/js/outbox.js) on every page and sends it at start, when the
// signal returns, when the app comes back into view and on Send now; keeps the rep's book on the phone for the
// offline visit form; and asks the worker to keep the pages Today links to.
(function () {
  "use strict";
  if (window.salesPhone) { return; }
  window.salesPhone = true;
  var body = document.body;
  navigator.serviceWorker.register(body.dataset.worker, { scope: "/" }).catch(function () { return null; });

  function keptCopy() {  // a page the service worker gave from its copy: how old it is
    var main = document.getElementById("main");
    var at = main && Number(main.dataset.offlineAsOf);
    if (!at) { return; }
    var note = document.getElementById("kept-copy");
    if (!note) {
      note = document.createElement("p");
      note.id = "kept-copy";
      note.className = "kept-copy";
      note.setAttribute("role", "status");
      main.insertBefore(note, main.firstChild);
    }
    var time = new Date(at).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
    note.textContent = (body.dataset.offlineAsOf || "Offline: as of {time}").replace("{time}", time);
  }

  var deferred = null;  // Android's install prompt, kept until the user asks for it
  var LATER = "salesweb-install-later";  // when "Not now" / "Got it" was said
  function offer() {
    var said = Number(localStorage.getItem(LATER) || 0);
    if (Date.now() - said < 30 * 24 * 3600 * 1000) { return; }
    var standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone;
    var ios = /iphone|ipad|ipod/i.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
    var android = document.getElementById("install-offer"), apple = document.getElementById("ios-install-hint");
    if (android) { android.hidden = !deferred || standalone; }
    if (apple) { apple.hidden = !ios || standalone || said > 0; }  // on iOS: once
  }
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferred = event;
    offer();
  });
  window.addEventListener("appinstalled", function () { deferred = null; offer(); });
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-install], [data-install-later]");
    if (!target) { return; }
    if (target.hasAttribute("data-install") && deferred) {
      deferred.prompt();
      deferred.userChoice.then(function () { deferred = null; offer(); });
    } else {
      localStorage.setItem(LATER, String(Date.now()));
      target.closest(".install-offer").hidden = true;
    }
  });

  // The outbox --------------------------------------------------------------------------------------------------
  var BOOK_EVERY = 30 * 60 * 1000;  // the book is fetched again after half an hour
  function outboxBox() { return document.getElementById("outbox"); }
  function load(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  var outboxCode = null;
  function withOutbox() {  // outbox.js, loaded once
    var b = outboxBox();
    if (!b) { return Promise.reject(new Error("signed out")); }
    if (!outboxCode) {
      outboxCode = window.SalesOutbox ? Promise.resolve() : load(b.dataset.script);
      outboxCode.catch(function () { outboxCode = null; });
    }
    return outboxCode;
  }

  function when(ms) {
    return new Date(ms).toLocaleString(document.documentElement.lang, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function text(tag, className, words) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    node.textContent = words;
    return node;
  }
  function counted(b, n, one, many) { return (n === 1 ? b.dataset[one] : b.dataset[many]).replace("{n}", n); }

  var savedNote = "";
  function render() {
    var b = outboxBox();
    if (!b) { return Promise.resolve(); }
    return withOutbox().then(function () { return window.SalesOutbox.list(b.dataset.user); }).then(function (items) {
      var waiting = items.filter(function (item) { return item.state === "waiting"; }).length;
      var refused = items.length - waiting;
      if (!document.querySelector("form[data-outbox]")) {  // said on the page after the visit form, once
        savedNote = sessionStorage.getItem("salesweb-saved") || savedNote;
        sessionStorage.removeItem("salesweb-saved");
      }
      b.querySelector("[data-outbox-note]").textContent = savedNote && waiting ? savedNote : "";
      b.querySelector("[data-outbox-count]").textContent = waiting ? counted(b, waiting, "one", "many") : "";
      b.querySelector("[data-outbox-refused]").textContent = refused ? counted(b, refused, "refusedOne", "refusedMany") : "";
      b.querySelector("[data-outbox-offline]").hidden = navigator.onLine || !waiting;
      b.querySelector("[data-outbox-send]").hidden = !waiting;
      var list = b.querySelector("[data-outbox-items]");
      list.innerHTML = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.appendChild(text("span", "", item.customer.name + " · " + when(item.captured_ms)));
        if (item.state === "waiting" && item.failed) {
          li.appendChild(text("p", "hint", b.dataset.failed.replace("{code}", item.failed)));
        }
        if (item.state === "refused") {
          li.className = "is-refused";
          var reasons = Object.keys(item.reason || {}).map(function (k) { return item.reason[k]; }).join(" ");
          li.appendChild(text("p", "error", b.dataset.refusedBecause.replace("{reason}", reasons)));
          var actions = text("p", "actions", "");
          var fix = text("a", "button small primary", b.dataset.fixLabel);
          fix.href = b.dataset.fix + "?outbox=" + encodeURIComponent(item.uuid) + "&next=" +
            encodeURIComponent(window.location.pathname + window.location.search);
          var discard = text("button", "button small", b.dataset.discardLabel);
          discard.type = "button";
          discard.dataset.discard = item.uuid;
          actions.appendChild(fix);
          actions.appendChild(discard);
          li.appendChild(actions);
        }
        list.appendChild(li);
      });
      b.hidden = !items.length;
    }, function () { return null; });
  }

  function send() {  // everything waiting, if there is signal; then the outbox as it stands
    var b = outboxBox();
    if (!b || !navigator.onLine) { return render(); }
    return withOutbox().then(function () {
      b.classList.add("is-sending");
      return window.SalesOutbox.send(b.dataset.user, b.dataset.token, b.dataset.refusedFallback);
    }).then(function () { b.classList.remove("is-sending"); return render(); },
            function () { b.classList.remove("is-sending"); return null; });
  }

  function keepBook() {  // the rep's customers for the offline visit form, fetched again when half an hour old
    var b = outboxBox();
    if (!b || !navigator.onLine) { return; }
    withOutbox().then(function () { return window.SalesOutbox.book(b.dataset.user); }).then(function (kept) {
      if (kept && Date.now() - kept.kept_at < BOOK_EVERY) { return null; }
      return fetch(b.dataset.book, { credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok || (response.headers.get("Content-Type") || "").indexOf("application/json") !== 0) { return null; }
          return response.json().then(function (book) {
            return String(book.user) === b.dataset.user ? window.SalesOutbox.saveBook(book.user, book) : null;
          });
        });
    }).catch(function () { return null; });
  }

  function keepAhead() {  // the customers and visit forms Today links to, kept by the worker for use without signal
    var worker = navigator.serviceWorker.controller;
    if (!worker || !navigator.onLine || !outboxBox()) { return; }
    var urls = Array.prototype.map.call(document.querySelectorAll("#main a[data-keep]"), function (a) { return a.href; });
    if (urls.length) { worker.postMessage({ type: "keep", urls: urls.slice(0, 60) }); }
  }

  document.addEventListener("click", function (event) {
    var b = outboxBox();
    var target = event.target.closest && event.target.closest("[data-outbox-send], [data-discard]");
    if (!b || !target) { return; }
    if (target.hasAttribute("data-outbox-send")) {
      b.querySelector("[data-outbox-offline]").hidden = navigator.onLine;
      send();
    } else if (window.confirm(b.dataset.discardConfirm)) {
      window.SalesOutbox.remove(target.dataset.discard).then(render);
    }
  });
  // Signing out with visits not yet sent: they stay on the phone, under this user, until they sign in here again.
  document.addEventListener("submit", function (event) {
    var b = outboxBox(), form = event.target;
    if (!b || !window.SalesOutbox || form.getAttribute("action") !== b.dataset.logout || form.dataset.confirmed) { return; }
    event.preventDefault();
    var asked = false;
    function out() { if (!asked) { asked = true; form.dataset.confirmed = "1"; form.submit(); } }
    var late = setTimeout(out, 3000);  // the phone's storage not answering never keeps anyone signed in
    function waiting() { return window.SalesOutbox.list(b.dataset.user); }
    // after a send under way (its answer, signed in, must not come after the sign-out's)
    (navigator.locks ? navigator.locks.request("salesweb-outbox", waiting) : waiting()).then(function (items) {
      clearTimeout(late);
      if (asked) { return; }
      if (items.length && !window.confirm(counted(b, items.length, "logoutOne", "logoutMany"))) { asked = true; return; }
      out();
    }, function () { clearTimeout(late); out(); });
  }, true);
  window.addEventListener("online", function () {  // the signal is back: send, then a kept copy gives way to the page
    send().then(function () {
      var main = document.getElementById("main");
      if (main && main.dataset.offlineAsOf && !document.querySelector("form[data-outbox]")) { window.location.reload(); }
    });
  });
  window.addEventListener("offline", render);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") { send(); } });
  if (window.BroadcastChannel) { new BroadcastChannel("salesweb-outbox").onmessage = render; }
  window.salesOutbox = {
    queued: function () {  // a visit just saved on the phone: Background Sync where the browser has it (the next page
      // sends it too: at start)
      return navigator.serviceWorker.ready.then(function (registration) {
        return registration.sync && registration.sync.register("salesweb-outbox");
      }).catch(function () { return null; });
    }
  };

  function visitForm() {  // the visit form's offline side, when the page has the form
    var form = document.querySelector("form[data-outbox]");
    if (!form) { return; }
    if (window.salesVisitOutbox && window.salesVisitOutbox.start) { window.salesVisitOutbox.start(); return; }
    withOutbox().then(function () { return load(form.dataset.outbox); }).catch(function () { return null; });
  }

  function onPage() { keptCopy(); offer(); send(); keepBook(); keepAhead(); visitForm(); }
  if (window.htmx) {
    htmx.onLoad(function (elt) {  // a boosted navigation's new body (not every fragment)
      if (elt.id === "main" || (elt.querySelector && elt.querySelector("#main"))) { onPage(); }
    });
  }
  onPage();
  if (navigator.onLine && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "refresh" });  // kept customer pages brought up to date
  }
})();
