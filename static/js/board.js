// The pipeline board: Sortable drag and drop posting moves through htmx, and the Won/Lost dialog.
(function () {
  "use strict";
  if (window.salesBoard) { return; } // a boosted visit runs this file again: wire the document once
  window.salesBoard = true;

  var pending = null; // the card in flight and where it came from, to put it back if the move fails
  var holding = false; // a card is being dragged

  function cardOf(el) { return el && el.classList && el.classList.contains("deal-card") ? el : null; }
  function neighbour(card, direction) {
    var el = card[direction];
    while (el && !cardOf(el)) { el = el[direction]; }
    return el;
  }
  function notice(text) {
    var box = document.getElementById("board-notice");
    if (box) { box.textContent = text || box.dataset.failed || ""; }
  }
  function putBack() {
    if (!pending) { return; }
    var back = pending;
    pending = null;
    back.card.classList.remove("is-moving");
    if (back.next && back.next.parentNode === back.from) { back.from.insertBefore(back.card, back.next); }
    else { back.from.appendChild(back.card); }
    // Show more stays last
    var more = back.from.querySelector(".show-more");
    if (more) { back.from.appendChild(more); }
  }
  function filterValues() {
    var values = {}, form = document.getElementById("board-filters");
    if (form) { new FormData(form).forEach(function (value, key) { if (value) { values[key] = value; } }); }
    return values;
  }
  function moveValues(card, list) {
    var before = neighbour(card, "previousElementSibling"), after = neighbour(card, "nextElementSibling");
    var values = filterValues();
    values.stage = list.dataset.stage;
    values.version = card.dataset.version;
    values.before = before ? before.dataset.deal : "";
    values.after = after ? after.dataset.deal : "";
    return values;
  }
  // A card's addresses: its title links to /deals/<id>; a move posts to .../move, a closing move asks .../close.
  function dealUrl(card, action) { return card.querySelector(".deal-title").getAttribute("href") + "/" + action; }
  function openDialog(url) {
    var dialog = document.getElementById("deal-dialog");
    htmx.ajax("GET", url, { target: "#deal-dialog-body", swap: "innerHTML" }).then(function () {
      if (!dialog.open) { dialog.showModal(); }
    });
  }
  // The drop bar: Won and Lost in reach while a card is held (not the column it is already in).
  function showDropBar(fromStage) {
    var bar = document.getElementById("drop-bar");
    if (!bar) { return; }
    bar.querySelectorAll(".drop-zone-cards").forEach(function (zone) {
      zone.parentNode.hidden = zone.dataset.stage === fromStage;
    });
    bar.hidden = false;
  }
  function hideDropBar() {
    var bar = document.getElementById("drop-bar");
    if (bar) { bar.hidden = true; }
  }
  function onStart(evt) {
    pending = { card: evt.item, from: evt.from, next: neighbour(evt.item, "nextElementSibling") || evt.item.nextElementSibling };
    holding = true;
    showDropBar(evt.from.dataset.stage);
  }
  // The card sits where it was dropped (or put by Move to); tell the server, or ask first when it closes the deal.
  // `extra`: what Move to adds (the next step).
  function placed(card, from, list, extra) {
    var values = moveValues(card, list);
    Object.keys(extra || {}).forEach(function (key) { if (extra[key]) { values[key] = extra[key]; } });
    var closing = list.dataset.kind === "won" || list.dataset.kind === "lost";
    if (closing && from !== list) { // a reorder within Won or Lost needs no reason or confirmation
      openDialog(dealUrl(card, "close") + "?stage=" + encodeURIComponent(values.stage) +
        "&version=" + encodeURIComponent(values.version) + "&before=" + encodeURIComponent(values.before) +
        "&after=" + encodeURIComponent(values.after));
      return;
    }
    card.classList.add("is-moving");
    htmx.ajax("POST", dealUrl(card, "move"), { source: card, values: values, swap: "none" });
  }
  function onEnd(evt) {
    holding = false;
    hideDropBar();
    if (evt.from === evt.to && evt.oldIndex === evt.newIndex) { pending = null; return; }
    if (evt.to.classList.contains("drop-zone-cards")) { // dropped on the bar: into that column, after its last shown card
      var list = document.querySelector('.column-cards[data-stage="' + evt.to.dataset.stage + '"]');
      if (!list) { putBack(); return; }
      list.insertBefore(evt.item, list.querySelector(":scope > .show-more"));
      placed(evt.item, evt.from, list);
      return;
    }
    placed(evt.item, evt.from, evt.to);
  }

  // Move to: one menu for every card; the chosen column takes the card after its last shown one
  // (where the deal page's Move to puts it too).
  var menuCard = null;
  function openMenu(card) {
    var menu = document.getElementById("move-dialog");
    if (!menu) { return false; }
    menuCard = card;
    var here = card.parentNode.dataset.stage;
    menu.querySelector("[data-move-title]").textContent = card.querySelector(".deal-title").textContent;
    menu.querySelectorAll("button[data-stage]").forEach(function (button) {
      button.closest("li").hidden = button.dataset.stage === here;
    });
    menu.querySelectorAll("[data-move-next-step], [data-move-next-due]").forEach(function (input) { input.value = ""; });
    menu.showModal();
    return true;
  }
  function chooseStage(stageId) {
    var card = menuCard, list = document.querySelector('.column-cards[data-stage="' + stageId + '"]');
    var menu = document.getElementById("move-dialog");
    var extra = { next_step: menu.querySelector("[data-move-next-step]").value.trim(),
                  next_step_due: menu.querySelector("[data-move-next-due]").value };
    menuCard = null;
    menu.close();
    if (!card || !list || !card.parentNode) { return; }
    pending = { card: card, from: card.parentNode, next: neighbour(card, "nextElementSibling") || card.nextElementSibling };
    list.insertBefore(card, list.querySelector(":scope > .show-more"));
    placed(card, pending.from, list, extra);
  }

  htmx.onLoad(function (root) {
    var board = document.querySelector(".board");
    if (!board || board.dataset.moveAllowed !== "yes" || typeof Sortable === "undefined") { return; }
    (root.querySelectorAll ? root : document).querySelectorAll(".column-cards").forEach(function (list) {
      if (list.dataset.sortable) { return; }
      list.dataset.sortable = "on";
      // A card is grabbed anywhere but its controls, its title included (a click there still opens the deal);
      // on a touch screen only after a short press, so a swipe across the cards scrolls. Touch events rather
      // than pointer events: a swipe that scrolls cancels its pointer, and Sortable would then wait for a
      // pointerup that never comes and ignore the next touch.
      Sortable.create(list, { group: "deals", animation: 120, draggable: ".deal-card[data-movable]",
                              filter: "details, summary, a:not(.deal-title), button, input, select", preventOnFilter: false,
                              delay: 200, delayOnTouchOnly: true, touchStartThreshold: 5, supportPointer: false,
                              onStart: onStart, onEnd: onEnd });
    });
    document.querySelectorAll("#drop-bar .drop-zone-cards").forEach(function (zone) {
      if (zone.dataset.sortable) { return; }
      zone.dataset.sortable = "on";
      Sortable.create(zone, { group: { name: "deals", pull: false, put: true }, sort: false, animation: 0 });
    });
  });

  // A move is answered when the server sent columns back (2xx, 409 conflict, 422 refused);
  // anything else (404, 403, 400, 5xx, no answer) puts the card back and says so.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var config = evt.detail.requestConfig;
    if (!config || config.verb !== "post") { return; } // the dialog's own GET is not a move
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    var answered = (status >= 200 && status < 300) || status === 409 || status === 422;
    var dialog = document.getElementById("deal-dialog");
    var fromDialog = evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("#deal-dialog");
    if (answered) {
      pending = null; // the server's columns show the truth now
      if (fromDialog && dialog && dialog.open) { dialog.close(); }
      return;
    }
    if (fromDialog && dialog && dialog.open) { dialog.close(); }
    putBack();
    notice();
  });
  document.addEventListener("htmx:sendError", function () { putBack(); notice(); });

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
    var dialog = document.getElementById("deal-dialog");
    var cancel = evt.target.closest && evt.target.closest("[data-dialog-cancel]");
    if (cancel && dialog && dialog.open && cancel.closest("#deal-dialog")) { evt.preventDefault(); dialog.close(); }
    var choice = evt.target.closest && evt.target.closest("#move-dialog button[data-stage]");
    if (choice) { chooseStage(choice.dataset.stage); }
    var menu = document.getElementById("move-dialog");
    if (evt.target.closest && evt.target.closest("#move-dialog [data-dialog-cancel]")) { menuCard = null; menu.close(); }
    // the next step offered after a move: not now
    var dismiss = evt.target.closest && evt.target.closest("#board-notice [data-offer-dismiss]");
    if (dismiss) { document.getElementById("board-notice").textContent = ""; }
  });
  // Move to opens the menu before the boosted link (the deal page, for a browser without script) would navigate.
  document.addEventListener("click", function (evt) {
    var moveLink = evt.target.closest && evt.target.closest(".deal-card .move-link");
    if (moveLink && openMenu(moveLink.closest(".deal-card"))) { evt.preventDefault(); evt.stopPropagation(); }
  }, true);
  // On a touch screen a drag starts with a long press: the title link's own long-press menu must not open too.
  document.addEventListener("contextmenu", function (evt) { if (holding) { evt.preventDefault(); } });
  document.addEventListener("close", function (evt) {
    if (evt.target.id === "deal-dialog") { putBack(); }
  }, true);
})();
