// Check-in form: live PHQ-9 / GAD-7 totals and bands from the radio grids, and the item-9 risk warning.
(function () {
  "use strict";
  var BANDS = {
    phq9: [[20, "Severe"], [15, "Moderately severe"], [10, "Moderate"], [5, "Mild"], [0, "Minimal"]],
    gad7: [[15, "Severe"], [10, "Moderate"], [5, "Mild"], [0, "Minimal"]]
  };
  function band(measure, total) {
    var list = BANDS[measure];
    for (var i = 0; i < list.length; i++) { if (total >= list[i][0]) { return list[i][1]; } }
    return "";
  }
  function checked(name) {
    return document.querySelector("input[name='" + name + "']:checked");
  }
  function update(measure) {
    var items = document.querySelectorAll("fieldset.measure-item[data-measure='" + measure + "']");
    var total = 0, answered = 0;
    items.forEach(function (item, index) {
      var radio = checked(measure + "_" + (index + 1));
      if (radio && radio.value !== "") { total += parseInt(radio.value, 10); answered += 1; }
    });
    var out = document.getElementById(measure + "-total");
    if (!out) { return; }
    if (answered === 0) { out.textContent = "not given"; }
    else if (answered < items.length) { out.textContent = total + " so far (" + answered + " of " + items.length + " answered)"; }
    else { out.textContent = total + " (" + band(measure, total) + ")"; }
    if (measure === "phq9") {
      var item9 = checked("phq9_9");
      var endorsed = !!item9 && item9.value !== "" && parseInt(item9.value, 10) > 0;
      var warn = document.getElementById("item9-warning");
      if (warn) { warn.classList.toggle("d-none", !endorsed); }
      var banner = document.getElementById("item9-answer");
      var shown = document.getElementById("item9-value");
      if (banner && shown) {
        banner.classList.toggle("d-none", !endorsed);
        var label = endorsed ? document.querySelector("label[for='" + item9.id + "']") : null;
        shown.textContent = label ? label.textContent.trim() : "";
      }
    }
  }
  ["phq9", "gad7"].forEach(function (measure) {
    var grid = document.getElementById(measure);
    if (grid) { grid.addEventListener("change", function () { update(measure); }); }
    update(measure);
  });
})();
