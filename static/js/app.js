// salesweb shell: tells the user when a request could not reach the server (a phone out of signal), and keeps the
// current tab of the phone's tab bar in view when there are more tabs than fit.
(function () {
  "use strict";
  function showCurrentTab() {
    var strip = document.querySelector(".mainnav ul");
    var marked = strip ? strip.querySelectorAll("[aria-current='page']") : [];
    var current = marked[0];
    if (!current || strip.scrollWidth <= strip.clientWidth) { return; }
    var tab = current.getBoundingClientRect(), frame = strip.getBoundingClientRect();
    strip.scrollLeft += (tab.left + tab.width / 2) - (frame.left + frame.width / 2);
  }
  if (window.htmx) {
    htmx.onLoad(function (elt) {  // the page, or a navigation's new body; not every fragment (the bell's poll)
      if (elt.matches && (elt.matches(".mainnav") || elt.querySelector(".mainnav"))) { showCurrentTab(); }
    });
  }
  function banner() {
    var el = document.getElementById("offline-banner");
    if (!el) {
      el = document.createElement("p");
      el.id = "offline-banner";
      el.className = "offline";
      el.setAttribute("role", "status");
      el.hidden = true;
      document.body.appendChild(el);
    }
    return el;
  }
  document.addEventListener("htmx:sendError", function (event) {
    if (event.target.closest && event.target.closest("[data-poll-url]")) { return; }  // a background poll: nobody asked
    var el = banner();
    el.textContent = document.body.dataset.offlineMessage || "No connection. Try again when you are back online.";
    el.hidden = false;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.successful) { banner().hidden = true; }
  });
  // The installable app's code (static/js/phone.js: the service worker, the offer to install) comes once the page
  // is usable, so the first load stays light.
  window.addEventListener("load", function () {
    if (!("serviceWorker" in navigator) || !document.body.dataset.phone) { return; }
    var script = document.createElement("script");
    script.src = document.body.dataset.phone;
    document.head.appendChild(script);
  });
})();
