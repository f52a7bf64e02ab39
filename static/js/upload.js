// Upload forms: refuse a file over the limit before sending it, and show progress while a large one goes up.
(function () {
  "use strict";
  function parts(form) {
    var box = form.querySelector("[data-upload-progress]");
    return box && { box: box, bar: box.querySelector("progress"), status: box.querySelector("[data-upload-status]") };
  }
  document.addEventListener("change", function (evt) {
    var input = evt.target;
    var form = input.form;
    if (input.type !== "file" || !form || !form.hasAttribute("data-upload")) { return; }
    var p = parts(form);
    var file = input.files && input.files[0];
    if (!p) { return; }
    if (file && file.size > Number(form.dataset.maxBytes)) {
      input.value = "";
      p.box.hidden = false;
      p.bar.hidden = true;
      p.status.textContent = p.status.dataset.tooLarge;
      p.status.setAttribute("role", "alert");
    } else {
      p.box.hidden = true;
    }
  });
  document.addEventListener("htmx:xhr:progress", function (evt) {
    var form = evt.target;
    var p = form.hasAttribute && form.hasAttribute("data-upload") && parts(form);
    if (!p || !evt.detail.lengthComputable || form.uploadSent) { return; }
    var percent = Math.floor(100 * evt.detail.loaded / evt.detail.total);
    p.box.hidden = false;
    p.bar.hidden = false;
    p.bar.value = percent;
    // the bytes are all sent once the bar is full: the server is now checking the file
    p.status.textContent = percent >= 100 ? p.status.dataset.checking : p.status.dataset.sending.replace("{p}", percent + "%");
    form.uploadSent = percent >= 100; // later progress events are the answer coming back
  });
})();
