// Active search on a list (templates/_form.html): a run of typing in the search box is one step in the
// history, however often the typist paused, so Back from a result lands on the list as last searched.
(function () {
  "use strict";
  if (window.salesSearch) { return; } // a boosted visit runs this file again: listen once
  window.salesSearch = true;

  var typedIn = null; // the search form whose typing made the current history entry

  // The search form behind a history update, when typing in its box (or Enter there) caused it.
  function typingIn(detail) {
    var config = detail.requestConfig, event = config && config.triggeringEvent, elt = config && config.elt;
    if (!event || !elt || !elt.matches || !elt.matches("form[role=search]")) { return null; }
    return event.type === "input" || event.type === "submit" ? elt : null;
  }
  document.addEventListener("htmx:beforeHistoryUpdate", function (evt) {
    var form = typingIn(evt.detail);
    if (form && form === typedIn && evt.detail.history.type === "push") { evt.detail.history.type = "replace"; }
    typedIn = form;
  });
  window.addEventListener("popstate", function () { typedIn = null; });
})();
