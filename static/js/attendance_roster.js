// Roster page: minutes follow the status (present = whole session by default, absences = 0,
// late / left early = type the minutes), and "Mark all present" (shown only with script: without
// it the statuses are chosen one by one; nothing is pre-selected).
(function () {
  "use strict";
  var table = document.getElementById("roster-table");
  if (!table) { return; }
  var ABSENT = ["excused", "absent"];
  var PARTIAL = ["late", "left_early"];

  function follow(select, focus) {
    var row = select.closest("tr");
    var minutes = row.querySelector(".roster-minutes");
    if (!minutes) { return; }
    if (ABSENT.indexOf(select.value) !== -1) {
      minutes.value = "";
      minutes.placeholder = "0";
    } else {
      minutes.placeholder = row.dataset.duration;
      if (PARTIAL.indexOf(select.value) !== -1 && focus) { minutes.focus(); }
    }
  }

  table.addEventListener("change", function (evt) {
    if (evt.target.classList.contains("roster-status")) { follow(evt.target, true); }
  });
  var allPresent = document.getElementById("roster-all-present");
  if (allPresent) {
    allPresent.hidden = false;
    allPresent.addEventListener("click", function () {
      table.querySelectorAll(".roster-status").forEach(function (select) {
        select.value = "present";
        follow(select, false);
      });
    });
  }
})();

// Make-up search: Enter in the search box searches (without script it saves the roster, as
// Enter in any roster field does).
(function () {
  "use strict";
  var box = document.getElementById("makeup-q");
  var button = document.getElementById("makeup-search");
  if (!box || !button) { return; }
  box.addEventListener("keydown", function (evt) {
    if (evt.key === "Enter") {
      evt.preventDefault();
      button.click();
    }
  });
})();
