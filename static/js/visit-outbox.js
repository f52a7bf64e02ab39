// The visit form without signal (loaded by phone.js on a page with form[data-outbox], after outbox.js). A visit
// saved where there is no signal (the form shown from the phone's copy, or the network gone when Save is tapped)
// goes to the phone's outbox with the form's client id, the time it was captured and the photo, and is sent when
// there is signal. The customer picker and the customer's people and deals then come from the phone's copy of the
// rep's book. With ?outbox=<id> the form opens a visit the server refused, with its reasons, to fix and send again.
(function () {
  "use strict";
  if (window.salesVisitOutbox) { return; }
  window.salesVisitOutbox = true;
  var Outbox = window.SalesOutbox;
  var PICKED = 8;  // matches the picker lists, as the server's picker does

  function box() { return document.getElementById("outbox"); }
  function user() { var b = box(); return b && b.dataset.user; }
  function kept() { return !!document.querySelector("#main[data-offline-as-of]"); }
  function params() { return new URLSearchParams(window.location.search); }
  function named(form, name) { return form.querySelector("[name='" + name + "']"); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function within(next) {  // a place on this site to go back to (as the server's safe_next), or ""
    if (!next || next.charAt(0) !== "/" || /[\\]/.test(next)) { return ""; }
    var url = new URL(next, window.location.href);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "";
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function nowIn(zone) {  // {day: "2026-12-07", time: "09:42"} now, in the install's time zone
    var parts = {};
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
                                       hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return { day: parts.year + "-" + parts.month + "-" + parts.day, time: parts.hour + ":" + parts.minute };
  }

  var bookPromise = null;
  function book() {  // the rep's customers as the phone last had them: {id: customer}
    if (!bookPromise) {
      bookPromise = Outbox.book(user()).then(function (kept) {
        var byId = {};
        ((kept && kept.customers) || []).forEach(function (c) { byId[c.id] = c; });
        return byId;
      }, function () { return {}; });
    }
    return bookPromise;
  }

  // Without signal the form's requests (the picker's matches, the chosen customer's people and deals) are answered
  // from the phone's copy of the book.
  function local(form) { return kept() || !navigator.onLine || !!form.dataset.fixing; }

  function matches(form, list, text) {
    var words = text.trim().toLowerCase();
    list.innerHTML = "";
    if (!words) { return; }
    book().then(function (byId) {
      var found = Object.keys(byId).map(function (id) { return byId[id]; })
        .filter(function (c) { return c.name.toLowerCase().indexOf(words) >= 0 || (c.phone || "").indexOf(words) >= 0; })
        .slice(0, PICKED);
      list.innerHTML = "";
      found.forEach(function (c) {
        var option = el("button", { type: "button", role: "option", "class": "picker-option", "data-value": c.id,
                                    "data-label": c.name });
        option.appendChild(el("span", { "class": "tier tier-" + c.tier }, c.tier));
        option.appendChild(document.createTextNode(" " + c.name));
        list.appendChild(option);
      });
      if (!found.length) { list.appendChild(el("p", { "class": "picker-none" }, form.dataset.noMatch.replace("{text}", text.trim()))); }
      named(form, "customer_name").setAttribute("aria-expanded", found.length ? "true" : "false");
    });
  }

  function customerFields(form, customerId, ticked, deal) {  // as the field macro draws them (templates/_form.html)
    var holder = form.querySelector("#visit-customer-fields");
    return book().then(function (byId) {
      var c = byId[customerId];
      holder.innerHTML = "";
      if (!c) { return; }
      if (c.contacts.length) {
        var field = el("div", { "class": "field" });
        field.appendChild(el("label", { "for": "contacts" }, form.dataset.contactsLabel));
        var ul = el("ul", { id: "contacts" });
        c.contacts.forEach(function (contact, i) {
          var li = el("li");
          var box = el("input", { id: "contacts-" + i, name: "contacts", type: "checkbox", value: contact[0] });
          box.checked = (ticked || []).indexOf(String(contact[0])) >= 0;
          li.appendChild(box);
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("label", { "for": "contacts-" + i }, contact[1]));
          ul.appendChild(li);
        });
        field.appendChild(ul);
        holder.appendChild(field);
      }
      if (c.deals.length) {
        var dealField = el("div", { "class": "field" });
        dealField.appendChild(el("label", { "for": "deal" }, form.dataset.dealLabel));
        var select = el("select", { id: "deal", name: "deal" });
        select.appendChild(el("option", { value: "" }, form.dataset.noDeal));
        c.deals.forEach(function (d) { select.appendChild(el("option", { value: d[0] }, d[1])); });
        select.value = deal || "";
        dealField.appendChild(select);
        holder.appendChild(dealField);
      }
    });
  }

  function choose(form, customerId) {  // the picker set to a customer of the book (or emptied)
    return book().then(function (byId) {
      var c = byId[customerId];
      named(form, "customer").value = c ? c.id : "";
      named(form, "customer_name").value = c ? c.name : "";
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt, form = elt.closest && elt.closest("form[data-outbox]");
    if (!form || !local(form)) { return; }
    event.preventDefault();  // no signal to ask: the phone's copy answers
    if (elt.name === "customer_name") {
      matches(form, form.querySelector(elt.getAttribute("hx-target")), elt.value);
    } else if (elt.id === "visit-customer-fields") {
      customerFields(form, named(form, "customer").value);
    }
  });

  // A kept copy of the form may be another customer's: it is set afresh from the address (customer, planned visit,
  // where to go back), with a new client id and the time now.
  function afresh(form) {
    var p = params(), zone = form.dataset.timezone, now = nowIn(zone);
    var same = (named(form, "customer").value || "") === (p.get("customer") || "") &&
               (named(form, "planned").value || "") === (p.get("planned") || "");
    if (!same) {
      ["purpose", "notes", "next_step", "next_visit_on", "market_note", "market_tags", "outcome"].forEach(function (name) {
        var input = named(form, name);
        if (input) { input.value = ""; }
      });
      named(form, "kind").value = form.dataset.defaultKind;
      named(form, "planned").value = p.get("planned") || "";
      named(form, "next").value = p.get("next") || "";
    }
    ["lat", "lon", "accuracy", "fix_at"].forEach(function (name) { named(form, name).value = ""; });
    named(form, "client_uuid").value = newId();
    named(form, "occurred_on").value = now.day;
    named(form, "occurred_time").value = now.time;
    return choose(form, p.get("customer")).then(function () {
      if (!same) { return customerFields(form, p.get("customer")); }
    });
  }

  function mark(form, name, message) {  // a refusal's message beside its field, or above the form
    var input = named(form, name === "customer" ? "customer_name" : name);
    var field = input && input.closest(".field");
    if (!field) {
      var top = form.querySelector(".form-errors");
      if (!top) {
        top = el("div", { "class": "form-errors", role: "alert" });
        form.insertBefore(top, form.querySelector(".picker"));
      }
      top.appendChild(el("p", {}, message));
      return;
    }
    field.classList.add("has-error");
    field.appendChild(el("p", { "class": "error" }, message));
  }

  // A refused visit opened to fix: the form filled as it was saved, with the server's reasons.
  function fixing(form, uuid) {
    return Outbox.get(uuid).then(function (item) {
      if (!item || item.user !== user()) { return; }
      form.dataset.fixing = uuid;
      var values = {};
      item.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
      Object.keys(values).forEach(function (name) {
        var input = named(form, name);
        if (input && input.type !== "checkbox" && input.type !== "file") { input.value = values[name][0]; }
      });
      var reason = item.reason || {};
      // what the refusal asks to change: another visit under the id (a new id), the phone's clock (the capture is
      // now), the position (taken again, or sent without), a plan gone (the visit stands without it)
      named(form, "client_uuid").value = reason.client_uuid ? newId() : item.uuid;
      form.dataset.recapture = reason.captured_at || reason.checkin ? "1" : "";
      if (reason.checkin) {
        ["lat", "lon", "accuracy", "fix_at"].forEach(function (name) { values[name] = [""]; named(form, name).value = ""; });
      }
      if (reason.form && values.planned && values.planned[0]) { named(form, "planned").value = ""; }
      var checkin = form.querySelector("[data-checkin]");
      if (values.lat && values.lat[0] && checkin) {  // the position taken when it was saved goes with it
        checkin.classList.add("is-located");
        checkin.querySelector("[data-checkin-status]").textContent =
          checkin.dataset.located.replace("{m}", Math.round(Number((values.accuracy || ["0"])[0])));
      }
      if (params().get("next")) { named(form, "next").value = params().get("next"); }
      named(form, "customer_name").value = item.customer.name;
      return customerFields(form, item.customer.id, values.contacts, (values.deal || [""])[0]).then(function () {
        Object.keys(item.reason || {}).forEach(function (name) { mark(form, name, item.reason[name]); });
        if (item.photo) {
          var photo = named(form, "photo").closest(".field");
          var note = el("p", { "class": "hint", "data-kept-photo": "" }, form.dataset.keptPhoto.replace("{name}", item.photo_name || ""));
          var remove = el("label", { "class": "choice" });
          remove.appendChild(el("input", { type: "checkbox", "data-drop-photo": "" }));
          remove.appendChild(document.createTextNode(" " + form.dataset.dropPhoto));
          photo.appendChild(note);
          photo.appendChild(remove);
        }
      });
    });
  }

  function refuse(form, message) {
    form.querySelectorAll(".picker .error").forEach(function (p) { p.remove(); });
    mark(form, "customer", message);
    named(form, "customer_name").focus();
  }

  // The visit into the outbox, then back where the form came from, with a word that it waits on the phone.
  function save(form) {
    var customerId = named(form, "customer").value;
    if (!customerId) { refuse(form, form.dataset.chooseCustomer); return Promise.resolve(); }
    var uuid = named(form, "client_uuid").value || newId();
    var before = form.dataset.fixing ? Outbox.get(form.dataset.fixing) : Promise.resolve(null);
    return before.then(function (earlier) {
      var fields = [], skip = { csrf_token: 1, client_uuid: 1, captured_at: 1, photo: 1, customer_name: 1 };
      new FormData(form).forEach(function (value, name) { if (!skip[name]) { fields.push([name, value]); } });
      var file = named(form, "photo").files[0];
      var drop = form.querySelector("[data-drop-photo]");
      var captured = earlier && !form.dataset.recapture ? new Date(earlier.captured_ms) : new Date();
      var item = {
        uuid: uuid, user: user(), action: form.getAttribute("action"), captured_at: captured.toISOString(),
        captured_ms: captured.getTime(), customer: { id: customerId, name: named(form, "customer_name").value },
        fields: fields, photo: file || (earlier && !(drop && drop.checked) ? earlier.photo : null),
        photo_name: file ? file.name : (earlier && earlier.photo_name) || "", state: "waiting", reason: {}
      };
      return Outbox.put(item).then(function () {
        // asks the browser not to clear the site's storage when the phone runs short (granted to an installed app)
        if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () { return null; }); }
      });
    }).then(function () {
      sessionStorage.setItem("salesweb-saved", form.dataset.savedNote);
      return window.salesOutbox ? window.salesOutbox.queued() : null;
    }).then(function () {
      window.location.assign(within(named(form, "next").value) || within(document.body.dataset.home) || "/");
    }, function () {
      sessionStorage.removeItem("salesweb-saved");
      mark(form, "form", form.dataset.notSaved);  // the phone's storage full or refused: nothing was kept
    });
  }

  // Save goes to the outbox when the form came from the phone's copy, fixes a refused visit, or there is no signal;
  // else the form is sent as always, and goes to the outbox if the network fails on the way.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-outbox]");
    if (!form || !local(form)) { return; }
    event.preventDefault();
    event.stopPropagation();  // before htmx sends it
    save(form);
  }, true);
  function lost(event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-outbox]");
    if (form && event.detail.requestConfig && event.detail.requestConfig.verb === "post") { save(form); }
  }
  document.addEventListener("htmx:sendError", lost);
  document.addEventListener("htmx:timeout", lost);

  function start() {
    var form = document.querySelector("form[data-outbox]");
    if (!form || form.dataset.outboxReady) { return; }
    form.dataset.outboxReady = "1";
    var uuid = params().get("outbox");
    if (uuid) { fixing(form, uuid); } else if (kept()) { afresh(form); }
  }
  window.salesVisitOutbox = { start: start };
  start();
})();
