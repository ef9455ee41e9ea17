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

// The required weekly hours start as the default of the level of care at the site (its criteria):
// choosing another level or site fills in that one's default, unless the hours were typed.
(function () {
  "use strict";
  document.querySelectorAll("input[data-level-hours]").forEach(function (hours) {
    var form = hours.form;
    var site = form && form.querySelector("select[name$='site']");
    var level = form && form.querySelector("select[name$='level_of_care']");
    if (!site || !level) {
      return;
    }
    var defaults = JSON.parse(hours.dataset.levelHours);
    var filled = hours.value;
    function sync() {
      var figure = defaults[site.value + ":" + level.value];
      if (figure !== undefined && (hours.value === "" || Number(hours.value) === Number(filled))) {
        hours.value = figure;
        filled = figure;
      }
    }
    site.addEventListener("change", sync);
    level.addEventListener("change", sync);
  });
})();
