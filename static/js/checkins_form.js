// Check-in form: live PHQ-9 / GAD-7 totals and bands, and the item-9 risk warning.
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
  function update(measure) {
    var selects = document.querySelectorAll("select[data-measure='" + measure + "']");
    var total = 0, answered = 0;
    selects.forEach(function (s) { if (s.value !== "") { total += parseInt(s.value, 10); answered += 1; } });
    var out = document.getElementById(measure + "-total");
    if (!out) { return; }
    if (answered === 0) { out.textContent = "not given"; }
    else if (answered < selects.length) { out.textContent = total + " so far (" + answered + " of " + selects.length + " answered)"; }
    else { out.textContent = total + " (" + band(measure, total) + ")"; }
    if (measure === "phq9") {
      var item9 = document.getElementById("id_phq9_9");
      var warn = document.getElementById("item9-warning");
      var endorsed = item9 && item9.value !== "" && parseInt(item9.value, 10) > 0;
      if (item9 && warn) { warn.classList.toggle("d-none", !endorsed); }
      var banner = document.getElementById("item9-answer");
      var shown = document.getElementById("item9-value");
      if (item9 && banner && shown) {
        banner.classList.toggle("d-none", !endorsed);
        shown.textContent = endorsed ? item9.options[item9.selectedIndex].text : "";
      }
    }
  }
  ["phq9", "gad7"].forEach(function (measure) {
    document.querySelectorAll("select[data-measure='" + measure + "']").forEach(function (s) {
      s.addEventListener("change", function () { update(measure); });
    });
    update(measure);
  });
})();
