// The pipeline board: Sortable drag and drop posting moves through htmx, and the Won/Lost dialog.
(function () {
  "use strict";
  var pending = null; // the card in flight and where it came from, to put it back if the move fails

  function cardOf(el) { return el && el.classList && el.classList.contains("deal-card") ? el : null; }
  function neighbour(card, direction) {
    var el = card[direction];
    while (el && !cardOf(el)) { el = el[direction]; }
    return el;
  }
  function putBack() {
    if (!pending) { return; }
    var from = pending.from, anchor = from.children[pending.index] || null;
    from.insertBefore(pending.card, anchor);
    pending.card.classList.remove("is-moving");
    pending = null;
  }
  function moveValues(card, list) {
    var before = neighbour(card, "previousElementSibling"), after = neighbour(card, "nextElementSibling");
    return { stage: list.dataset.stage, version: card.dataset.version,
             before: before ? before.dataset.deal : "", after: after ? after.dataset.deal : "" };
  }
  function openDialog(card, values) {
    var dialog = document.getElementById("deal-dialog");
    var url = card.dataset.closeUrl + "?stage=" + encodeURIComponent(values.stage) +
      "&before=" + encodeURIComponent(values.before) + "&after=" + encodeURIComponent(values.after);
    htmx.ajax("GET", url, { target: "#deal-dialog-body", swap: "innerHTML" }).then(function () {
      if (!dialog.open) { dialog.showModal(); }
    });
  }
  function onEnd(evt) {
    var card = evt.item, list = evt.to;
    if (evt.from === evt.to && evt.oldIndex === evt.newIndex) { return; }
    pending = { card: card, from: evt.from, index: evt.oldIndex };
    var values = moveValues(card, list);
    if (list.dataset.kind === "won" || list.dataset.kind === "lost") { openDialog(card, values); return; }
    card.classList.add("is-moving");
    htmx.ajax("POST", card.dataset.moveUrl, { source: card, values: values, swap: "none" });
  }

  htmx.onLoad(function (root) {
    var board = document.querySelector(".board");
    if (!board || board.dataset.moveAllowed !== "yes" || typeof Sortable === "undefined") { return; }
    (root.querySelectorAll ? root : document).querySelectorAll(".column-cards").forEach(function (list) {
      if (list.dataset.sortable) { return; }
      list.dataset.sortable = "on";
      Sortable.create(list, { group: "deals", animation: 120, draggable: ".deal-card[data-movable]",
                              filter: "details, summary, a, button", preventOnFilter: false,
                              onEnd: onEnd });
    });
    if (root.matches && root.matches(".column-cards")) { root.dataset.sortable = ""; }
  });

  // The answer to a move replaces the columns; anything else that went wrong puts the card back.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var config = evt.detail.requestConfig;
    if (!config || config.verb !== "post") { return; } // the dialog's own GET is not a move
    var xhr = evt.detail.xhr;
    var dialog = document.getElementById("deal-dialog");
    if (evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("#deal-dialog") && dialog && dialog.open &&
        xhr && xhr.status !== 0 && evt.detail.requestConfig && evt.detail.requestConfig.verb === "post") {
      pending = null; // the server's columns show the truth now
      dialog.close();
    }
    if (xhr && (xhr.status >= 200 && xhr.status < 500 && xhr.status !== 0)) { pending = null; return; }
    putBack();
  });
  document.addEventListener("htmx:sendError", putBack);

  // Sortable leaves style attributes behind, which the swap would carry over (and the CSP refuses);
  // and a swapped column must not scroll the board away from where the user was.
  var scrollLeft = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var board = document.querySelector(".board");
    if (!board) { return; }
    scrollLeft = board.scrollLeft;
    board.querySelectorAll("[style]").forEach(function (el) { el.removeAttribute("style"); });
  });
  document.addEventListener("htmx:afterSettle", function () {
    var board = document.querySelector(".board");
    if (board && scrollLeft !== null) { board.scrollLeft = scrollLeft; }
    scrollLeft = null;
  });
  document.addEventListener("click", function (evt) {
    var cancel = evt.target.closest && evt.target.closest("[data-dialog-cancel]");
    var dialog = document.getElementById("deal-dialog");
    if (cancel && dialog && dialog.open) { evt.preventDefault(); dialog.close(); }
    var closeLink = evt.target.closest && evt.target.closest(".move-to .close-link");
    if (closeLink && dialog) {
      evt.preventDefault();
      htmx.ajax("GET", closeLink.getAttribute("href"), { target: "#deal-dialog-body", swap: "innerHTML" }).then(function () {
        if (!dialog.open) { dialog.showModal(); }
      });
    }
  });
  document.addEventListener("close", function (evt) {
    if (evt.target.id === "deal-dialog") { putBack(); }
  }, true);
})();
