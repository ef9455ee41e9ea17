// Intake and readmission: offer only the tracks of the site chosen (the server checks again).
(function () {
  "use strict";
  document.querySelectorAll("select[name$='site']").forEach(function (site) {
    var track = site.form && site.form.querySelector("select[name$='track']");
    if (!track) {
      return;
    }
    function sync() {
      Array.prototype.forEach.call(track.options, function (option) {
        var other = option.dataset.site && site.value && option.dataset.site !== site.value;
        option.hidden = Boolean(other);
        option.disabled = Boolean(other);
        if (other && option.selected) {
          track.value = "";
        }
      });
    }
    site.addEventListener("change", sync);
    sync();
  });
})();
