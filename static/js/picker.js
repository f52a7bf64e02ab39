// Pickers (customer, product, person): choosing a match (click, Enter, or arrows then Enter) fills the hidden id and the text.
// In a quote line, a product's choice also fills its list price (and a quantity of 1 when none is typed).
(function () {
  "use strict";
  if (window.salesPicker) { return; } // a page reached by boosted navigation runs its scripts again
  window.salesPicker = true;
  function parts(el) {
    var root = el.closest("[data-picker]");
    return root && { root: root, text: root.querySelector("input[type=text]"),
                     value: root.querySelector("[data-picker-value]"), list: root.querySelector("[role=listbox]") };
  }
  function choose(option) {
    var p = parts(option);
    p.value.value = option.dataset.value;
    var line = p.root.closest("[data-line]");
    if (line && option.dataset.price !== undefined) {
      line.querySelector("[data-price-input]").value = option.dataset.price;
      var quantity = line.querySelector("[data-quantity-input]");
      if (!quantity.value) { quantity.value = "1"; }
    }
    p.text.value = option.dataset.label;
    p.value.dispatchEvent(new Event("change", { bubbles: true })); // forms that depend on the choice follow
    p.list.innerHTML = "";
    p.text.setAttribute("aria-expanded", "false");
    p.text.focus();
  }
  document.addEventListener("click", function (evt) {
    var option = evt.target.closest && evt.target.closest(".picker-option");
    if (option) { choose(option); }
  });
  document.addEventListener("input", function (evt) {
    var p = evt.target.closest && parts(evt.target);
    if (p && evt.target === p.text) {
      var had = p.value.value;
      p.value.value = ""; // typing again clears the earlier choice
      // a person field's list follows its choice: emptied, it is "anyone" again
      if (had && !p.text.value && p.root.hasAttribute("data-picker-follows")) {
        p.value.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    var p = parts(evt.target);
    if (p && evt.target === p.list) { p.text.setAttribute("aria-expanded", p.list.children.length ? "true" : "false"); }
  });
  document.addEventListener("keydown", function (evt) {
    var p = evt.target.closest && parts(evt.target);
    if (!p) { return; }
    var options = Array.prototype.slice.call(p.list.querySelectorAll(".picker-option"));
    var index = options.indexOf(document.activeElement);
    if (evt.key === "ArrowDown" && options.length) { evt.preventDefault(); options[Math.min(index + 1, options.length - 1)].focus(); }
    else if (evt.key === "ArrowUp" && options.length) { evt.preventDefault(); (index > 0 ? options[index - 1] : p.text).focus(); }
    else if (evt.key === "Escape") { p.list.innerHTML = ""; p.text.focus(); }
    else if (evt.key === "Enter" && evt.target === p.text && options.length === 1) { evt.preventDefault(); choose(options[0]); }
  });
})();
