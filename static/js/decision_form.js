// Recording a decision: a step-down or step-up fills in the new level's default weekly hours at
// the site (the server applies the same default when the field is left empty).
(function () {
  "use strict";
  var hours = document.querySelector("input[name='weekly_hours']");
  if (!hours) {
    return;
  }
  var filled = hours.value;
  document.querySelectorAll("input[name='kind']").forEach(function (kind) {
    kind.addEventListener("change", function () {
      var figure = hours.getAttribute("data-default-" + kind.value.replace("_", "-"));
      if (hours.value === "" || hours.value === filled) {
        hours.value = figure === null ? "" : figure;
        filled = hours.value;
      }
    });
  });
})();
