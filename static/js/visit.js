// Log visit: "Check in here" asks the browser for the position (only on that tap) and fills the hidden fields.
(function () {
  "use strict";
  function form(el) { return el.closest("form"); }
  function set(f, name, value) { var input = f.querySelector("input[name=" + name + "]"); if (input) { input.value = value; } }
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-checkin-button]");
    if (!button) { return; }
    var box = button.closest("[data-checkin]");
    var status = box.querySelector("[data-checkin-status]");
    var f = form(button);
    if (!navigator.geolocation) { status.textContent = box.dataset.denied; return; }
    status.textContent = box.dataset.locating;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      set(f, "lat", position.coords.latitude);
      set(f, "lon", position.coords.longitude);
      set(f, "accuracy", position.coords.accuracy);
      set(f, "fix_at", position.timestamp);
      status.textContent = box.dataset.located.replace("{m}", Math.round(position.coords.accuracy));
      box.classList.add("is-located");
      button.disabled = false;
    }, function () {
      status.textContent = box.dataset.denied;
      button.disabled = false;
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  });
})();
