// Share links: copy to the clipboard, or hand the link to the phone's own share sheet where there is one.
(function () {
  "use strict";
  function copy(input, button) {
    function done() {
      var label = button.textContent;
      button.textContent = button.dataset.copied;
      setTimeout(function () { button.textContent = label; }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
    } else {
      input.select();
      if (document.execCommand("copy")) { done(); }
    }
  }
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-copy], [data-share-url]");
    if (!button) { return; }
    if (button.dataset.copy) {
      copy(document.getElementById(button.dataset.copy), button);
    } else if (navigator.share) {
      navigator.share({ title: button.dataset.shareTitle, url: button.dataset.shareUrl }).catch(function () {});
    }
  });
  function reveal(root) {
    if (!navigator.share) { return; }
    root.querySelectorAll("[data-share-url]").forEach(function (b) { b.hidden = false; });
  }
  document.addEventListener("htmx:load", function (evt) { reveal(evt.target); });
  reveal(document);
})();
