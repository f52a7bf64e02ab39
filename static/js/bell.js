// The bell's unread count: asked for again every data-poll-seconds while the tab is visible, and at once when the
// tab comes back. (htmx's own "every 60s" cannot be told to pause: its trigger filters need eval.)
(function () {
  "use strict";
  var timer = null;

  function bell() { return document.getElementById("bell"); }

  function refresh() {
    var el = bell();
    if (el && window.htmx && document.visibilityState === "visible") {
      htmx.ajax("GET", el.dataset.pollUrl, { source: el, target: el, swap: "outerHTML" });
    }
  }

  function start() {
    var el = bell(), seconds = el ? parseInt(el.dataset.pollSeconds, 10) : 0;
    if (timer === null && seconds > 0) { timer = setInterval(refresh, seconds * 1000); }
  }

  function stop() {
    clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      refresh();
      start();
    } else {
      stop();
    }
  });

  // Only the bell replaces the bell: not an error page, nor the sign-in page a poll lands on once the sign-in
  // ended. A poll that fails keeps the bell as it was, quietly: nobody asked for it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail, el = bell();
    if (el && detail.target === el) {
      detail.shouldSwap = detail.xhr.status === 200 && detail.pathInfo.responsePath === el.dataset.pollUrl;
      detail.isError = false;
    }
  });

  if (document.visibilityState === "visible") { start(); }
})();
