// salesweb shell: tells the user when a request could not reach the server (a phone out of signal).
(function () {
  "use strict";
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
})();
