// Screens tab: the save button says what will be saved ("negative cup" or how many positives).
(function () {
  "use strict";
  var form = document.getElementById("screen-entry");
  if (!form) { return; }
  var button = document.getElementById("save-screen");
  var status = document.getElementById("positive-count");
  var update = function () {
    var positives = form.querySelectorAll(".result-toggle[value=positive]:checked").length;
    var inconclusive = form.querySelectorAll(".result-toggle[value=inconclusive]:checked").length;
    if (positives + inconclusive === 0) {
      button.textContent = "Save negative screen";
      status.textContent = "";
    } else {
      button.textContent = "Save screen";
      var parts = [];
      if (positives) { parts.push(positives + " positive"); }
      if (inconclusive) { parts.push(inconclusive + " inconclusive"); }
      status.textContent = parts.join(", ");
    }
  };
  // The "Lab" box follows the result chosen: inconclusive -> sent; positive -> sent unless a
  // prescription explains it (data-default, from screening/interpretation.py); the therapist may
  // still change it afterwards.
  form.querySelectorAll(".result-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", function () {
      var box = toggle.closest(".analyte-box");
      var send = box && box.querySelector(".send-toggle");
      if (!send) { return; }
      send.checked = toggle.value === "inconclusive" || (toggle.value === "positive" && send.dataset.default === "1");
    });
  });
  form.addEventListener("change", update);
  update();
})();
