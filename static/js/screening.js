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
  form.addEventListener("change", update);
  update();
})();
