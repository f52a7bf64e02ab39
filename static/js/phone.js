// The installable app (loaded by app.js once the page is usable): registers the service worker (/sw.js), says when a
// page is this phone's kept copy ("Offline: as of 09:42"), and offers to install: Android's own prompt behind an
// Install button, or once on an iPhone or iPad how to add the app to the Home Screen, and why.
(function () {
  "use strict";
  if (window.salesPhone) { return; }
  window.salesPhone = true;
  var body = document.body;
  navigator.serviceWorker.register(body.dataset.worker, { scope: "/" });

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

  function onPage() { keptCopy(); offer(); }
  if (window.htmx) {
    htmx.onLoad(function (elt) {  // a boosted navigation's new body (not every fragment)
      if (elt.id === "main" || (elt.querySelector && elt.querySelector("#main"))) { onPage(); }
    });
  }
  onPage();
})();
